import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphCredential } from '../../../src/adapters/graph/credential.js';
import { parseGraphBaseUrl } from '../../../src/adapters/graph/graph-host.js';
import { createGraphMailer } from '../../../src/adapters/graph/graph-mailer.js';
import { systemClock, systemIds } from '../../../src/adapters/system/system-clock.js';
import type { Clock } from '../../../src/ports/clock.js';
import {
  HR_COURIER_KEY_PROPERTY_ID,
  type GraphMailer,
  type SendMailRequest,
} from '../../../src/ports/graph.js';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/index.js';
import { startHttpsServer, trustedCertificate } from './support/https-server.js';

/** The simulator's time, moved by hand so "after the transport delay" needs no waiting. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return {
    now: () => now,
    monotonic: () => now,
    // The simulator sleeps only for injected latency, which these tests do not use.
    sleep: () => Promise.resolve(),
    advance: (ms) => {
      now += ms;
    },
  };
}

const TRANSPORT_DELAY_MS = 60_000;
const SENDER = 'offers@contoso.com';
let attemptNo = 0;

/** A request as the core builds it: a fresh client-request-id per attempt, the key as a property. */
function sendRequest(key: string, overrides: Partial<SendMailRequest> = {}): SendMailRequest {
  attemptNo += 1;
  return {
    sender: SENDER,
    message: {
      subject: 'Your offer',
      body: { contentType: 'HTML', content: '<p>Welcome aboard.</p>' },
      toRecipients: [{ emailAddress: { address: 'ada@example.org', name: 'Ada Lovelace' } }],
      internetMessageHeaders: [{ name: 'X-Trace-Intent', value: 'offer' }],
      singleValueExtendedProperties: [{ id: HR_COURIER_KEY_PROPERTY_ID, value: key }],
    },
    saveToSentItems: true,
    clientRequestId: `00000000-0000-4000-8000-${String(attemptNo).padStart(12, '0')}`,
    timeoutMs: 20_000,
    ...overrides,
  };
}

describe('the Graph mailer against the simulator, with the real managed-identity credential', () => {
  let sim: SimulatorHandle;
  let outbox: string;
  let credential: TokenCredential;
  let mailer: GraphMailer;
  const simClock = manualClock();

  beforeAll(async () => {
    const trusted = await trustedCertificate();
    outbox = await mkdtemp(join(tmpdir(), 'hr-courier-graph-contract-'));
    sim = await startSimulator({
      certDir: dirname(trusted.certPath),
      outboxDir: outbox,
      mailboxes: [SENDER, 'policy@contoso.com'],
      allowedSenders: [SENDER],
      transportDelayMs: TRANSPORT_DELAY_MS,
      clock: simClock,
      ids: systemIds,
    });
    // What App Service and Functions give a managed identity; read when the credential is built.
    process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
    process.env.IDENTITY_HEADER = sim.identityHeader;
    credential = createGraphCredential({ kind: 'managed-identity' });
    const host = parseGraphBaseUrl(sim.baseUrl, { devMode: true, inAzure: false });
    mailer = createGraphMailer({ ...host, credential, clock: systemClock });
  });
  afterAll(async () => {
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
    await sim.close();
    await rm(outbox, { recursive: true, force: true });
  });

  it('sends with a token from the identity endpoint and brings back the tracing trinity', async () => {
    const request = sendRequest('offer-CAND-1');
    const answer = await mailer.sendMail(request);

    expect(answer).toMatchObject({ kind: 'response', status: 202, clientRequestId: request.clientRequestId });
    if (answer.kind !== 'response') throw new Error('expected a response');
    expect(answer.requestId).toMatch(/\S/u);
    expect(Number.isNaN(Date.parse(answer.date ?? ''))).toBe(false);
    expect(answer.diagnostic).toMatch(/\S/u);
    expect(sim.stats().tokensIssued).toBeGreaterThanOrEqual(1);

    const accepted = sim.accepted().find((mail) => mail.requestId === answer.requestId);
    expect(accepted).toMatchObject({ sender: SENDER, clientRequestId: request.clientRequestId });
  });

  it('sends the client-request-id it was given, a different one on every attempt', async () => {
    const first = sendRequest('offer-CAND-2');
    const second = sendRequest('offer-CAND-2');
    expect(first.clientRequestId).not.toBe(second.clientRequestId);

    await mailer.sendMail(first);
    await mailer.sendMail(second);
    const ids = sim
      .accepted()
      .filter((mail) => mail.key === 'offer-CAND-2')
      .map((mail) => mail.clientRequestId);
    expect(ids).toEqual([first.clientRequestId, second.clientRequestId]);
  });

  it('delivers the HrCourierKey property with every mail, so sends can be counted per key', async () => {
    await mailer.sendMail(sendRequest('offer-CAND-3'));
    expect(sim.stats().sendsByKey['offer-CAND-3']).toBe(1);
  });

  it('is fenced out of a mailbox outside its scope: 403 ErrorAccessDenied, nothing sent', async () => {
    const answer = await mailer.sendMail(sendRequest('policy-1', { sender: 'policy@contoso.com' }));
    expect(answer).toMatchObject({ kind: 'response', status: 403, code: 'ErrorAccessDenied' });
    expect(sim.stats().sendsByKey['policy-1']).toBeUndefined();
  });

  it('gets 404 ErrorInvalidUser for a mailbox that does not exist', async () => {
    const answer = await mailer.sendMail(sendRequest('nobody-1', { sender: 'nobody@contoso.com' }));
    expect(answer).toMatchObject({ kind: 'response', status: 404, code: 'ErrorInvalidUser' });
    expect(JSON.stringify(answer)).not.toContain('nobody@');
  });

  it('gets 400 with the validation code for a message Graph would refuse', async () => {
    const request = sendRequest('bad-header-1');
    request.message.internetMessageHeaders = [{ name: 'Trace-Intent', value: 'offer' }];
    const answer = await mailer.sendMail(request);
    expect(answer).toMatchObject({ kind: 'response', status: 400, code: 'InvalidInternetMessageHeader' });
    expect(sim.stats().sendsByKey['bad-header-1']).toBeUndefined();
  });

  it('finds a sent mail by its key only once transport has picked it up', async () => {
    const key = "offer-CAND-4:o'brien";
    expect(await mailer.sendMail(sendRequest(key))).toMatchObject({ status: 202 });

    const early = await mailer.findByKey(SENDER, key, 'a1b2c3d4-0000-4000-8000-000000000001');
    expect(early).toMatchObject({ found: false, answer: { kind: 'response', status: 200 } });

    simClock.advance(TRANSPORT_DELAY_MS);
    const later = await mailer.findByKey(SENDER, key, 'a1b2c3d4-0000-4000-8000-000000000002');
    expect(later).toMatchObject({
      found: true,
      answer: { kind: 'response', status: 200, clientRequestId: 'a1b2c3d4-0000-4000-8000-000000000002' },
    });
    const never = await mailer.findByKey(SENDER, 'offer-never-sent', 'a1b2c3d4-0000-4000-8000-000000000003');
    expect(never.found).toBe(false);
  });

  it('never sends the token to a host that is neither Graph nor a custom host', async () => {
    const stranger = await startHttpsServer(await trustedCertificate());
    stranger.handle((_request, res) => res.writeHead(202).end());
    try {
      const elsewhere = createGraphMailer({
        baseUrl: stranger.baseUrl,
        scope: 'https://graph.microsoft.com/.default',
        customHosts: [],
        credential,
        clock: systemClock,
      });
      await elsewhere.sendMail(sendRequest('stranger-1'));
      expect(stranger.seen).toHaveLength(1);
      expect(stranger.seen[0]?.headers.authorization).toBeUndefined();
    } finally {
      await stranger.close();
    }
  });

  // Last: revoking invalidates the token the credential keeps cached for the rest of this process.
  it('on a 401 reports that the managed identity still returns the same (cached) token', async () => {
    expect(sim.revokeTokens()).toBeGreaterThanOrEqual(1);
    const answer = await mailer.sendMail(sendRequest('revoked-1'));
    expect(answer).toMatchObject({
      kind: 'response',
      status: 401,
      code: 'InvalidAuthenticationToken',
      tokenChanged: false,
    });
    expect(sim.stats().sendsByKey['revoked-1']).toBeUndefined();
  });
});
