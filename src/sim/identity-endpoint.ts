import { timingSafeEqual } from 'node:crypto';
import type { Ids } from '../ports/clock.js';
import { headerValue, type SimContext, type Step } from './pipeline.js';
import type { TokenStore } from './token-store.js';

/** The path App Service serves its managed-identity endpoint on. */
export const IDENTITY_PATH = '/msi/token';
/** The only API version of the App Service protocol that uses X-IDENTITY-HEADER. */
const API_VERSION = '2019-08-01';

export interface IdentityEndpointDeps {
  tokens: TokenStore;
  identityHeader: string;
  /** The client id of the simulated system-assigned identity. */
  systemClientId: string;
  now: () => number;
  ids: Ids;
}

/**
 * App Service's managed-identity endpoint, as msal-node's AppService source calls it:
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…[&client_id=…]` with the
 * `X-IDENTITY-HEADER` secret, answered with `access_token`, `expires_on` (epoch seconds, as a
 * string), `resource`, `token_type` and `client_id`. Errors use App Service's
 * `{"statusCode","message","correlationId"}` shape, whose `message` MSAL reports.
 */
export function identityEndpointStep(deps: IdentityEndpointDeps): Step {
  return (ctx) => {
    const { url, method } = ctx.request;
    if (url.pathname.toLowerCase() !== IDENTITY_PATH) {
      fail(ctx, deps, 404, 'Not found.');
    } else if (method !== 'GET') {
      fail(ctx, deps, 405, 'The requested resource does not support this HTTP method.');
      ctx.response.headers.allow = 'GET';
    } else {
      answerTokenRequest(ctx, deps);
    }
    return Promise.resolve();
  };
}

function answerTokenRequest(ctx: SimContext, deps: IdentityEndpointDeps): void {
  const secret = headerValue(ctx.request.headers, 'x-identity-header');
  if (secret === undefined) {
    fail(ctx, deps, 400, 'The X-IDENTITY-HEADER header is missing.');
    return;
  }
  if (!sameSecret(secret, deps.identityHeader)) {
    fail(ctx, deps, 401, 'The X-IDENTITY-HEADER header is not valid.');
    return;
  }
  const query = ctx.request.url.searchParams;
  const apiVersion = query.get('api-version');
  if (apiVersion !== API_VERSION) {
    fail(ctx, deps, 400, `The api-version parameter must be ${API_VERSION}.`);
    return;
  }
  const resource = query.get('resource');
  if (!resource) {
    fail(ctx, deps, 400, 'The resource parameter is required.');
    return;
  }
  const clientId = query.get('client_id') ?? deps.systemClientId;
  const token = deps.tokens.issue({ resource, clientId, now: deps.now() });
  ctx.response = {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      access_token: token.accessToken,
      expires_on: String(Math.floor(token.expiresAt / 1000)),
      resource,
      token_type: 'Bearer',
      client_id: clientId,
    }),
  };
}

function fail(ctx: SimContext, deps: IdentityEndpointDeps, status: number, message: string): void {
  ctx.response = {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ statusCode: status, message, correlationId: deps.ids.uuid() }),
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
