import { randomBytes } from 'node:crypto';

/** Graph's token audiences, one per national cloud; a token for anything else is refused by Graph. */
const GRAPH_AUDIENCES = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
]);

export interface IssuedToken {
  accessToken: string;
  /** Epoch ms, simulator clock. */
  expiresAt: number;
  resource: string;
  clientId: string;
}

export type TokenCheck =
  { ok: true; token: IssuedToken } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'audience' };

export interface TokenStore {
  issue(request: { resource: string; clientId: string; now: number }): IssuedToken;
  check(authorization: string | undefined, now: number): TokenCheck;
  /** Forgets every token issued so far; returns how many. */
  revokeAll(): number;
  /** Tokens issued since start (or since `resetCount`). */
  readonly issued: number;
  resetCount(): void;
}

/**
 * Opaque bearer tokens, as the managed-identity endpoint hands them out. Random, not JWTs: nothing
 * in hr-courier may depend on reading a token, and a real one is Entra's business.
 */
export function createTokenStore(options: { lifetimeMs: number }): TokenStore {
  const tokens = new Map<string, IssuedToken>();
  let issued = 0;
  return {
    issue({ resource, clientId, now }) {
      const token: IssuedToken = {
        accessToken: `sim.${randomBytes(32).toString('base64url')}`,
        expiresAt: now + options.lifetimeMs,
        resource,
        clientId,
      };
      tokens.set(token.accessToken, token);
      issued += 1;
      return token;
    },
    check(authorization, now) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match?.[1]) return { ok: false, reason: 'missing' };
      const token = tokens.get(match[1]);
      if (!token) return { ok: false, reason: 'unknown' };
      if (now >= token.expiresAt) return { ok: false, reason: 'expired' };
      if (!GRAPH_AUDIENCES.has(token.resource.replace(/\/+$/, '').toLowerCase())) {
        return { ok: false, reason: 'audience' };
      }
      return { ok: true, token };
    },
    revokeAll() {
      const count = tokens.size;
      tokens.clear();
      return count;
    },
    get issued() {
      return issued;
    },
    resetCount() {
      issued = 0;
    },
  };
}
