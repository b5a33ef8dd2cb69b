import { createHash } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';

/**
 * What one Graph request went through, recorded by the middleware chain so the mailer can tell a
 * request that never left (token failure, refused connection) from one that may have reached Graph.
 * One probe per request; passed to the chain as a middleware option.
 */
export class AttemptProbe implements MiddlewareOptions {
  /** The credential was asked for a token for this request. */
  tokenRequested = false;
  /** The credential failed (or was aborted) while getting that token. */
  tokenFailed = false;
  /** SHA-256 of the token attached to this request: enough to compare, useless to replay. */
  tokenFingerprint: string | undefined;
  /** The request was handed to fetch: from here on it may reach Graph. */
  dispatched = false;
  /** Whatever fetch threw, before the Graph client wraps it. */
  transportError: unknown;
}

export function fingerprintToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Wraps the credential for one request so the probe learns which token that request carried:
 * on a 401 the core may replay only if the credential now returns a different one.
 */
export function recordingCredential(credential: TokenCredential, probe: AttemptProbe): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      probe.tokenRequested = true;
      try {
        const token = await credential.getToken(scopes, options);
        if (token === null) probe.tokenFailed = true;
        else probe.tokenFingerprint = fingerprintToken(token.token);
        return token;
      } catch (error) {
        probe.tokenFailed = true;
        throw error;
      }
    },
  };
}

/**
 * Sits between the AuthenticationHandler and the HTTPMessageHandler. It marks the moment the
 * request is handed to fetch and keeps fetch's own error (with its `cause`), which the Graph client
 * would otherwise flatten into a GraphError.
 */
export class AttemptProbeHandler implements Middleware {
  private next: Middleware | undefined;

  async execute(context: Context): Promise<void> {
    if (this.next === undefined) throw new Error('AttemptProbeHandler needs a next middleware');
    const probe = context.middlewareControl?.getMiddlewareOptions(AttemptProbe);
    if (!(probe instanceof AttemptProbe)) {
      await this.next.execute(context);
      return;
    }
    probe.dispatched = true;
    try {
      await this.next.execute(context);
    } catch (error) {
      probe.transportError = error;
      throw error;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
