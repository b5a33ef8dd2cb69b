import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGraphMailer } from '../../../src/adapters/graph/graph-mailer.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import { HR_COURIER_KEY_PROPERTY_ID } from '../../../src/ports/graph.js';
import { ADDRESS, fakeCredential, request } from './support/fixtures.js';
import { startHttpsServer, trustedCertificate, type TestServer } from './support/https-server.js';

describe('the Graph mailer over a local HTTPS server', () => {
  let server: TestServer;
  let mailerFor: (
    credential: TokenCredential,
    customHosts?: string[],
  ) => ReturnType<typeof createGraphMailer>;

  beforeAll(async () => {
    server = await startHttpsServer(await trustedCertificate());
    mailerFor = (credential, customHosts = ['127.0.0.1']) =>
      createGraphMailer({
        baseUrl: server.baseUrl,
        scope: 'https://graph.microsoft.com/.default',
        customHosts,
        credential,
        clock: systemClock,
        lookupTimeoutMs: 10_000,
      });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.seen.length = 0;
  });

  it('posts the message to the URL-encoded sender with our client-request-id and the token', async () => {
    server.handle((_req, res) => res.writeHead(202, { 'content-type': 'application/json' }).end());
    const answer = await mailerFor(fakeCredential(['token-1'])).sendMail(request());

    expect(answer).toMatchObject({ kind: 'response', status: 202 });
    expect(server.seen).toHaveLength(1);
    const seen = server.seen[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1.0/users/offers%40contoso.com/sendMail');
    expect(seen?.headers['client-request-id']).toBe('7c1d2f1e-0000-4000-8000-000000000001');
    expect(seen?.headers.authorization).toBe('Bearer token-1');
    expect(JSON.parse(seen?.body ?? '{}')).toEqual({
      message: request().message,
      saveToSentItems: true,
    });
  });

  it('captures the tracing headers of a 202 whose empty body claims to be JSON', async () => {
    server.handle((_req, res) =>
      res
        .writeHead(202, {
          'content-type': 'application/json',
          'request-id': 'r-202',
          'client-request-id': '7c1d2f1e-0000-4000-8000-000000000001',
          date: 'Wed, 25 Nov 2026 10:00:00 GMT',
          'x-ms-ags-diagnostic': '{"ServerInfo":{"DataCenter":"West Europe"}}',
          'retry-after': '5',
        })
        .end(),
    );
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toEqual({
      kind: 'response',
      status: 202,
      clientRequestId: '7c1d2f1e-0000-4000-8000-000000000001',
      requestId: 'r-202',
      date: 'Wed, 25 Nov 2026 10:00:00 GMT',
      diagnostic: '{"ServerInfo":{"DataCenter":"West Europe"}}',
      retryAfter: '5',
      durationMs: expect.any(Number) as number,
    });
  });

  it('keeps the error code and inner code of a failure, never the message that quotes an address', async () => {
    server.handle((_req, res) =>
      res.writeHead(400, { 'content-type': 'application/json', 'request-id': 'r-400' }).end(
        JSON.stringify({
          error: {
            code: 'ErrorInvalidRecipients',
            message: `At least one recipient is not valid: ${ADDRESS}`,
            innerError: { code: 'InvalidRecipient', date: '2026-11-25T10:00:00', 'request-id': 'r-400' },
          },
        }),
      ),
    );
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toMatchObject({
      kind: 'response',
      status: 400,
      code: 'ErrorInvalidRecipients',
      innerCode: 'InvalidRecipient',
      requestId: 'r-400',
    });
    expect(JSON.stringify(answer)).not.toContain(ADDRESS);
  });

  it('names the limit of a 429 and its Retry-After, and sends the POST only once', async () => {
    server.handle((_req, res) =>
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' }).end(
        JSON.stringify({
          error: {
            code: 'ApplicationThrottled',
            message: 'Application is over its MailboxConcurrency limit.',
          },
        }),
      ),
    );
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toMatchObject({
      status: 429,
      code: 'ApplicationThrottled',
      throttleReason: 'MailboxConcurrency',
      retryAfter: '7',
    });
    expect(server.seen).toHaveLength(1);
  });

  it.each([500, 503, 504])('returns a %i as it came, without resending the POST', async (status) => {
    server.handle((_req, res) => res.writeHead(status, { 'retry-after': '1' }).end());
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toMatchObject({ kind: 'response', status, retryAfter: '1' });
    expect(server.seen).toHaveLength(1);
  });

  it('does not follow a redirect with the mail', async () => {
    server.handle((_req, res) => res.writeHead(307, { location: '/elsewhere' }).end());
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toMatchObject({ kind: 'response', status: 307 });
    expect(server.seen.map((seen) => seen.url)).toEqual(['/v1.0/users/offers%40contoso.com/sendMail']);
  });

  it('reports a connection reset after the body was sent as after-send', async () => {
    server.handle((_req, res) => res.socket?.destroy());
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request());
    expect(answer).toMatchObject({ kind: 'network', phase: 'after-send', errorCode: 'UND_ERR_SOCKET' });
    expect(server.seen).toHaveLength(1);
  });

  it('gives up on a slow answer at the timeout, as after-send', async () => {
    server.handle(() => {
      // Never answers: the mail is in and the client cannot know.
    });
    const answer = await mailerFor(fakeCredential(['t'])).sendMail(request({ timeoutMs: 300 }));
    expect(answer).toMatchObject({
      kind: 'network',
      phase: 'after-send',
      errorCode: 'ETIMEDOUT',
      clientRequestId: '7c1d2f1e-0000-4000-8000-000000000001',
    });
    expect(server.seen).toHaveLength(1);
  });

  it('says whether the credential now has a different token after a 401', async () => {
    server.handle((_req, res) =>
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'expired' } })),
    );
    const rotating = await mailerFor(fakeCredential(['old', 'new'])).sendMail(request());
    expect(rotating).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken', tokenChanged: true });
    const cached = await mailerFor(fakeCredential(['same'])).sendMail(request());
    expect(cached).toMatchObject({ status: 401, tokenChanged: false });
    expect(JSON.stringify([rotating, cached])).not.toMatch(/old|new|same/u);
  });

  it('reports a token that cannot be acquired as before-send, and sends nothing', async () => {
    const answer = await mailerFor(
      fakeCredential(new Error('ManagedIdentityCredential: no endpoint')),
    ).sendMail(request());
    expect(answer).toMatchObject({ kind: 'network', phase: 'before-send', errorCode: 'TokenAcquisition' });
    expect(server.seen).toHaveLength(0);
  });

  it('gives up on a token that never comes, as before-send, even if the credential ignores the signal', async () => {
    const hanging: TokenCredential = { getToken: () => new Promise<AccessToken>(() => undefined) };
    const answer = await mailerFor(hanging).sendMail(request({ timeoutMs: 200 }));
    expect(answer).toMatchObject({ kind: 'network', phase: 'before-send', errorCode: 'TokenAcquisition' });
    expect(server.seen).toHaveLength(0);
  });

  it('sends no token to a host that is neither Graph nor a custom host', async () => {
    server.handle((_req, res) => res.writeHead(202).end());
    const credential = fakeCredential(['secret-token']);
    const answer = await mailerFor(credential, []).sendMail(request());
    expect(answer).toMatchObject({ status: 202 });
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
    expect(credential.calls).toBe(0);
  });

  describe('findByKey', () => {
    it('asks for the key in all folders with an escaped OData filter', async () => {
      server.handle((_req, res) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ value: [{ id: 'm1' }] })),
      );
      const key = "o'brien&x=1#2+3";
      const result = await mailerFor(fakeCredential(['t'])).findByKey('offers@contoso.com', key, 'crid-1');

      expect(result).toMatchObject({
        found: true,
        answer: { kind: 'response', status: 200, clientRequestId: 'crid-1' },
      });
      const seen = server.seen[0];
      expect(seen?.method).toBe('GET');
      expect(seen?.headers['client-request-id']).toBe('crid-1');
      const url = new URL(seen?.url ?? '', server.baseUrl);
      expect(url.pathname).toBe('/v1.0/users/offers%40contoso.com/messages');
      expect(url.searchParams.get('$filter')).toBe(
        `singleValueExtendedProperties/Any(ep: ep/id eq '${HR_COURIER_KEY_PROPERTY_ID}' and ep/value eq 'o''brien&x=1#2+3')`,
      );
      expect(url.searchParams.get('$select')).toBe('id');
      expect(url.searchParams.get('$top')).toBe('1');
    });

    it('finds nothing in an empty answer or an error', async () => {
      const mailer = mailerFor(fakeCredential(['t']));
      server.handle((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}'),
      );
      expect((await mailer.findByKey('offers@contoso.com', 'k', 'c1')).found).toBe(false);
      server.handle((_req, res) =>
        res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } })),
      );
      const denied = await mailer.findByKey('offers@contoso.com', 'k', 'c2');
      expect(denied).toMatchObject({ found: false, answer: { status: 403, code: 'ErrorAccessDenied' } });
    });
  });
});
