import { ManagedIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGraph, graphError, mailBody, startTestSimulator, type TestSimulator } from './support/graph.js';
import { createManualClock, type ManualClock } from './support/manual-clock.js';

const LIFETIME_SEC = 3600;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const SEND = '/v1.0/users/offers@contoso.com/sendMail';

describe('the simulator’s managed-identity endpoint and token checks', () => {
  let t: TestSimulator;
  let clock: ManualClock;
  let credential: ManagedIdentityCredential;
  beforeAll(async () => {
    clock = createManualClock();
    t = await startTestSimulator({
      mailboxes: ['offers@contoso.com'],
      tokenLifetimeSec: LIFETIME_SEC,
      clock,
    });
    // msal-node picks the App Service source from these, once per process.
    process.env.IDENTITY_ENDPOINT = t.sim.identityEndpoint;
    process.env.IDENTITY_HEADER = t.sim.identityHeader;
    credential = new ManagedIdentityCredential();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** A token straight from the endpoint, as App Service's protocol hands it out. */
  async function rawToken(
    query = `api-version=2019-08-01&resource=${encodeURIComponent('https://graph.microsoft.com')}`,
  ) {
    const response = await fetch(`${t.sim.identityEndpoint}?${query}`, {
      headers: { 'X-IDENTITY-HEADER': t.sim.identityHeader },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const send = (token: string) => callGraph(t.sim, SEND, { method: 'POST', token, body: mailBody() });

  it('gives the real ManagedIdentityCredential a token that Graph accepts until it expires', async () => {
    const token = await credential.getToken(GRAPH_SCOPE);
    expect(token.tokenType).toBe('Bearer');
    expect(Math.abs(token.expiresOnTimestamp - (clock.now() + LIFETIME_SEC * 1000))).toBeLessThan(1000);
    expect(t.sim.stats().tokensIssued).toBe(1);
    expect((await send(token.token)).status).toBe(202);
  });

  it('answers in App Service’s shape: expires_on in epoch seconds, resource, token_type, client_id', async () => {
    const { status, body } = await rawToken();
    expect(status).toBe(200);
    expect(body).toMatchObject({ resource: 'https://graph.microsoft.com', token_type: 'Bearer' });
    expect(body.expires_on).toBe(String(Math.floor((clock.now() + LIFETIME_SEC * 1000) / 1000)));
    expect(typeof body.access_token).toBe('string');
    expect(typeof body.client_id).toBe('string');
  });

  it('refuses a missing secret header with 400 and a wrong one with 401', async () => {
    const url = `${t.sim.identityEndpoint}?api-version=2019-08-01&resource=https://graph.microsoft.com`;
    const missing = await fetch(url);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ statusCode: 400, message: expect.any(String) as string });
    const wrong = await fetch(url, { headers: { 'X-IDENTITY-HEADER': 'guess' } });
    expect(wrong.status).toBe(401);
  });

  it('refuses another api-version and a missing resource', async () => {
    expect((await rawToken('api-version=2017-09-01&resource=https://graph.microsoft.com')).status).toBe(400);
    expect((await rawToken('api-version=2019-08-01')).status).toBe(400);
  });

  it('401 Invalid audience at Graph for a token issued for another resource', async () => {
    const { body } = await rawToken(
      `api-version=2019-08-01&resource=${encodeURIComponent('https://storage.azure.com')}`,
    );
    const reply = await send(String(body.access_token));
    expect(reply.status).toBe(401);
    expect(graphError(reply)).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure. Invalid audience.',
    });
  });

  it('401 "the token is expired" once the token’s lifetime has passed on the server’s clock', async () => {
    const { body } = await rawToken();
    const token = String(body.access_token);
    clock.advance(LIFETIME_SEC * 1000 - 1);
    expect((await send(token)).status).toBe(202);
    clock.advance(1);
    const reply = await send(token);
    expect(reply.status).toBe(401);
    expect(graphError(reply).message).toBe('Lifetime validation failed, the token is expired.');
  });

  it('after a revocation, refuses old tokens while the credential still hands out its cached one', async () => {
    const before = (await credential.getToken(GRAPH_SCOPE)).token;
    const revoked = await callGraph(t.sim, '/_sim/tokens/revoke', { method: 'POST' });
    expect(revoked.json()).toMatchObject({ revoked: expect.any(Number) as number });

    const reply = await send(before);
    expect(reply.status).toBe(401);
    expect(graphError(reply).code).toBe('InvalidAuthenticationToken');
    // msal-node caches managed-identity tokens per process and cannot be told to refresh: the
    // "replay a 401 only if the token changed" rule exists because of exactly this.
    expect((await credential.getToken(GRAPH_SCOPE)).token).toBe(before);

    const fresh = await rawToken();
    expect((await send(String(fresh.body.access_token))).status).toBe(202);
  });
});
