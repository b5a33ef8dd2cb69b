import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatorStats } from '../../src/sim/index.js';
import {
  acquireGraphToken,
  callGraph,
  graphError,
  GUID,
  keyProperty,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';

const SEND = '/v1.0/users/offers@contoso.com/sendMail';

function recipients(n: number): { emailAddress: { address: string } }[] {
  return Array.from({ length: n }, (_, i) => ({ emailAddress: { address: `person${i}@example.org` } }));
}

describe('the simulator’s sendMail', () => {
  let t: TestSimulator;
  let token: string;
  beforeAll(async () => {
    t = await startTestSimulator({
      mailboxes: ['offers@contoso.com', 'policy@contoso.com', 'outside@contoso.com'],
      allowedSenders: ['offers@contoso.com', 'policy@contoso.com'],
    });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  const send = (body: unknown, headers: Record<string, string> = {}, path = SEND) =>
    callGraph(t.sim, path, { method: 'POST', token, body, headers });

  describe('accepting a mail', () => {
    it('answers 202 with an empty body and Graph’s tracing headers', async () => {
      const reply = await send(mailBody(), { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' });
      expect(reply.status).toBe(202);
      expect(reply.text).toBe('');
      expect(reply.headers.get('request-id')).toMatch(GUID);
      expect(reply.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(Number.isNaN(Date.parse(reply.headers.get('date') ?? ''))).toBe(false);
      const diagnostic = JSON.parse(reply.headers.get('x-ms-ags-diagnostic') ?? '{}') as {
        ServerInfo?: Record<string, string>;
      };
      expect(Object.keys(diagnostic.ServerInfo ?? {})).toEqual(
        expect.arrayContaining(['DataCenter', 'Slice', 'Ring', 'ScaleUnit', 'RoleInstance']),
      );
      expect(t.sim.stats().accepted).toBe(1);
    });

    it('makes up a client-request-id when the caller sent none, as Graph does', async () => {
      const reply = await send(mailBody());
      expect(reply.headers.get('client-request-id')).toMatch(GUID);
      expect(reply.headers.get('client-request-id')).not.toBe(reply.headers.get('request-id'));
      expect(t.sim.accepted()[0]?.clientRequestId).toBeUndefined();
    });

    it('finds the mailbox whatever the case of the URL, and accepts from = the mailbox', async () => {
      const reply = await send(
        mailBody({ from: { emailAddress: { address: 'Offers@Contoso.com' } } }),
        {},
        '/v1.0/users/OFFERS%40contoso.com/sendmail',
      );
      expect(reply.status).toBe(202);
      expect(t.sim.accepted()[0]?.sender).toBe('offers@contoso.com');
    });

    it('accepts exactly 500 recipients and five x- headers', async () => {
      const headers = Array.from({ length: 5 }, (_, i) => ({ name: `X-Extra-${i}`, value: 'v' }));
      const reply = await send(
        mailBody({
          toRecipients: recipients(300),
          ccRecipients: recipients(150),
          bccRecipients: recipients(50),
          internetMessageHeaders: headers,
        }),
      );
      expect(reply.status).toBe(202);
      expect(t.sim.accepted()[0]?.recipientCount).toBe(500);
    });

    it('counts accepted sends per HrCourierKey, so a duplicate shows as 2', async () => {
      await send(mailBody({ singleValueExtendedProperties: keyProperty('offer-CAND-1') }));
      await send(mailBody({ singleValueExtendedProperties: keyProperty('offer-CAND-1') }));
      await send(mailBody({ singleValueExtendedProperties: keyProperty('offer-CAND-2') }));
      await send(mailBody());
      expect(t.sim.stats().sendsByKey).toEqual({ 'offer-CAND-1': 2, 'offer-CAND-2': 1 });
      expect(t.sim.accepted().map((m) => m.key)).toEqual([
        'offer-CAND-1',
        'offer-CAND-1',
        'offer-CAND-2',
        undefined,
      ]);
    });
  });

  describe('refusing what Graph refuses', () => {
    it.each([
      ['no token', undefined, 'Access token is empty.'],
      ['a token it never issued', 'sim.not-a-real-token', 'Access token validation failure.'],
    ])('401 InvalidAuthenticationToken for %s', async (_label, bearer, message) => {
      const reply = await callGraph(t.sim, SEND, {
        method: 'POST',
        body: mailBody(),
        ...(bearer ? { token: bearer } : {}),
      });
      expect(reply.status).toBe(401);
      expect(graphError(reply)).toMatchObject({ code: 'InvalidAuthenticationToken', message });
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(t.sim.stats().accepted).toBe(0);
    });

    it('400 RequestBodyRead for a body that is not JSON', async () => {
      const reply = await send('{"message": {', { 'content-type': 'application/json' });
      expect(reply.status).toBe(400);
      expect(graphError(reply).code).toBe('RequestBodyRead');
    });

    it('400 RequestBodyRead for a misspelt message property, naming it', async () => {
      const reply = await send(mailBody({ internetMessageHeader: [{ name: 'X-A', value: '1' }] }));
      expect(reply.status).toBe(400);
      expect(graphError(reply)).toMatchObject({ code: 'RequestBodyRead' });
      expect(graphError(reply).message).toContain("'internetMessageHeader'");
    });

    it('400 ErrorInvalidParameter when there is no message', async () => {
      const reply = await send({ saveToSentItems: true });
      expect(reply.status).toBe(400);
      expect(graphError(reply).code).toBe('ErrorInvalidParameter');
    });

    it.each([
      ['no recipient at all', { toRecipients: [] }],
      ['a malformed address', { toRecipients: [{ emailAddress: { address: 'ada.example.org' } }] }],
      ['a recipient without an address', { ccRecipients: [{ emailAddress: { name: 'Ada' } }] }],
      ['501 recipients', { toRecipients: recipients(400), bccRecipients: recipients(101) }],
    ])('400 ErrorInvalidRecipients for %s', async (_label, message) => {
      const reply = await send(mailBody(message));
      expect(reply.status).toBe(400);
      expect(graphError(reply).code).toBe('ErrorInvalidRecipients');
    });

    it.each([
      ['a header not starting with x-', [{ name: 'Priority', value: '1' }], 'InvalidInternetMessageHeader'],
      [
        'six headers',
        Array.from({ length: 6 }, (_, i) => ({ name: `X-H${i}`, value: 'v' })),
        'InvalidInternetMessageHeaderCollection',
      ],
      ['an empty header list', [], 'InvalidInternetMessageHeaderCollection'],
    ])('400 for %s', async (_label, internetMessageHeaders, code) => {
      const reply = await send(mailBody({ internetMessageHeaders }));
      expect(reply.status).toBe(400);
      expect(graphError(reply).code).toBe(code);
    });

    it('400 for an attachment whose contentBytes is not base64, or missing', async () => {
      const attachment = {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'a.txt',
        contentType: 'text/plain',
      };
      const bad = await send(mailBody({ attachments: [{ ...attachment, contentBytes: 'not base64!' }] }));
      expect(bad.status).toBe(400);
      expect(graphError(bad).code).toBe('ErrorMimeContentInvalidBase64String');
      const missing = await send(mailBody({ attachments: [attachment] }));
      expect(missing.status).toBe(400);
      expect(graphError(missing).code).toBe('ErrorRequiredPropertyMissing');
    });

    it('413 with Graph’s wording for a request over 4 MB', async () => {
      const big = Buffer.alloc(3_200_000, 7).toString('base64'); // ~4.27 MB once base64-encoded
      const attachments = [
        {
          '@odata.type': '#microsoft.graph.fileAttachment',
          name: 'big.bin',
          contentType: 'application/octet-stream',
          contentBytes: big,
        },
      ];
      const reply = await send(mailBody({ attachments }));
      expect(reply.status).toBe(413);
      expect(graphError(reply).message).toBe('The maximum request length supported is 4MB.');
      expect(t.sim.stats().accepted).toBe(0);
    });

    it('403 ErrorSendAsDenied when from or sender is not the mailbox of the URL', async () => {
      for (const field of ['from', 'sender']) {
        const reply = await send(mailBody({ [field]: { emailAddress: { address: 'policy@contoso.com' } } }));
        expect(reply.status).toBe(403);
        expect(graphError(reply).code).toBe('ErrorSendAsDenied');
      }
    });

    it('404 ErrorInvalidUser for a mailbox that does not exist', async () => {
      const reply = await send(mailBody(), {}, '/v1.0/users/nobody@contoso.com/sendMail');
      expect(reply.status).toBe(404);
      expect(graphError(reply)).toMatchObject({
        code: 'ErrorInvalidUser',
        message: "The requested user 'nobody@contoso.com' is invalid.",
      });
    });

    it('403 ErrorAccessDenied for a mailbox outside the Exchange fence', async () => {
      const reply = await send(mailBody(), {}, '/v1.0/users/outside@contoso.com/sendMail');
      expect(reply.status).toBe(403);
      expect(graphError(reply)).toMatchObject({
        code: 'ErrorAccessDenied',
        message: 'Access to OData is disabled.',
      });
    });

    it('404 in Graph’s error shape for an unknown route, 405 for a wrong method', async () => {
      const unknown = await callGraph(t.sim, '/v1.0/users/offers@contoso.com/sendMailNow', {
        method: 'POST',
        token,
        body: mailBody(),
      });
      expect(unknown.status).toBe(404);
      expect(graphError(unknown).code).toBe('ResourceNotFound');
      const wrongMethod = await callGraph(t.sim, SEND, { method: 'GET', token });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
    });

    it('puts the ids of the response headers in every error body', async () => {
      const reply = await send('not json', { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000002' });
      const { innerError } = graphError(reply);
      expect(innerError['request-id']).toBe(reply.headers.get('request-id'));
      expect(innerError['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000002');
      expect(innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(reply.headers.get('x-ms-ags-diagnostic')).toContain('ServerInfo');
    });
  });

  describe('the admin endpoints', () => {
    it('report stats and accepted mail to other processes, and reset them', async () => {
      await send(mailBody({ singleValueExtendedProperties: keyProperty('k-1') }));
      await send(mailBody({ toRecipients: [] }));
      await callGraph(t.sim, SEND, { method: 'POST', body: mailBody() });

      const stats = (await callGraph(t.sim, '/_sim/stats')).json() as SimulatorStats;
      expect(stats).toMatchObject({
        accepted: 1,
        rejectedByStatus: { '400': 1, '401': 1 },
        sendsByKey: { 'k-1': 1 },
      });
      expect(stats.maxInFlight).toBeGreaterThanOrEqual(1);
      const accepted = (await callGraph(t.sim, '/_sim/accepted')).json() as { value: { key?: string }[] };
      expect(accepted.value.map((m) => m.key)).toEqual(['k-1']);

      expect((await callGraph(t.sim, '/_sim/reset', { method: 'POST' })).status).toBe(200);
      expect(t.sim.stats()).toMatchObject({ accepted: 0, rejectedByStatus: {}, sendsByKey: {} });
    });
  });
});
