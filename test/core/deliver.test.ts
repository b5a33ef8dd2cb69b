import { describe, expect, it } from 'vitest';
import { keyOf, payloadHash } from '../../src/core/idempotency.js';
import { messageSchemaV1 } from '../../src/core/contract.js';
import { INVALID_INPUT_PARTITION } from '../../src/ports/ledger.js';
import { minimalRecord } from '../contracts/ledger.js';
import { asText, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

const KEY = 'offer-CAND-777-2026-11';
const BID = 'CAND-777';
const text = asText(validMessage());

describe('delivering one message', () => {
  it('sends it once, records the trinity in the ledger, and reports it', async () => {
    const h = createHarness();
    const report = await h.deliver(text, { id: 'q-1' });
    expect(report).toMatchObject({ outcome: 'sent', state: 'sent', businessId: BID, key: KEY, attempts: 1 });
    expect(report.requestId).toBe('req-1');
    expect(report.clientRequestId).toBe(h.mailer.requests[0]?.clientRequestId);
    const rec = await h.state(BID, KEY);
    expect(rec).toMatchObject({ state: 'sent', attempts: 1, deliveries: 1, sender: 'offers@contoso.com' });
    expect(rec?.recipientDomains).toEqual(['example.org']);
    expect(rec?.lease).toBeUndefined();
    const [attempt] = h.attempts();
    expect(attempt).toMatchObject({ n: 1, status: 202, outcome: 'sent', requestId: 'req-1' });
    expect(attempt?.date).toBeDefined();
    expect(attempt?.diagnostic).toBeDefined();
    expect(h.events('Mail.Sent')).toHaveLength(1);
    const index = h.ledger.snapshot().index;
    expect(index.map((e) => e.kind).sort()).toEqual(['client-request-id', 'key', 'request-id']);
  });

  it('sends the message to Graph with the key property and a fresh client-request-id', async () => {
    const h = createHarness();
    await h.deliver(text);
    const request = h.mailer.requests[0];
    expect(request?.sender).toBe('offers@contoso.com');
    expect(request?.message.singleValueExtendedProperties?.[0]?.value).toBe(KEY);
    expect(request?.message.subject).toBe('Your offer, Zebulon Quartermaine');
    expect(request?.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('acks a redelivery of a sent key as a duplicate without calling Graph again', async () => {
    const h = createHarness();
    await h.deliver(text);
    const again = await h.deliver(text, { dequeueCount: 2 });
    expect(again.outcome).toBe('duplicate');
    expect(again.requestId).toBe('req-1');
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.events('Mail.Duplicate')).toHaveLength(1);
  });

  it('derives a key when none is given, and the same message derives the same key', async () => {
    const h = createHarness();
    const m = validMessage({ idempotencyKey: undefined });
    const first = await h.deliver(asText(m));
    const second = await h.deliver(asText(m));
    expect(first.key).toBe(keyOf(messageSchemaV1.parse(m)).key);
    expect(second.outcome).toBe('duplicate');
    expect(h.mailer.requests).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('files text that is not JSON under a raw key, poisons the original bytes, and never calls Graph', async () => {
    const h = createHarness();
    const report = await h.deliver('Dear Ada, welcome');
    expect(report).toMatchObject({
      outcome: 'failed',
      code: 'InvalidJson',
      businessId: INVALID_INPUT_PARTITION,
    });
    expect(h.poison.texts()).toEqual(['Dear Ada, welcome']);
    const rec = await h.state(INVALID_INPUT_PARTITION, report.key);
    expect(rec?.reason?.code).toBe('InvalidJson');
    expect(rec?.poisonedAt).toBeDefined();
    expect(h.mailer.requests).toHaveLength(0);
    expect(h.events('Mail.Failed')[0]?.properties.code).toBe('InvalidJson');
  });

  it('files a wrongly shaped message under its businessId with the field paths', async () => {
    const h = createHarness();
    const bad = asText(validMessage({ to: [{ address: 'not an address' }] }));
    const report = await h.deliver(bad);
    expect(report).toMatchObject({ outcome: 'failed', code: 'InvalidMessage', businessId: BID });
    const rec = await h.state(BID, report.key);
    expect(rec?.reason?.fieldPaths).toEqual(['to[0].address']);
    expect(h.poison.texts()).toEqual([bad]);
  });

  it('a second copy of the same bad input is recorded once and acked', async () => {
    const h = createHarness();
    await h.deliver('not json');
    const again = await h.deliver('not json');
    expect(again.outcome).toBe('failed');
    expect(h.ledger.snapshot().records).toHaveLength(1);
  });

  it('refuses the same key with a different payload as KeyConflict, leaving the original alone', async () => {
    const h = createHarness();
    await h.deliver(text);
    const changed = asText(
      validMessage({ data: { candidateName: 'Someone Else', startDate: '2027-02-01' } }),
    );
    const report = await h.deliver(changed);
    expect(report).toMatchObject({ outcome: 'failed', code: 'KeyConflict' });
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.poison.texts()).toEqual([changed]);
    expect((await h.state(BID, KEY))?.state).toBe('sent');
    const conflict = h.ledger.snapshot().records.find((r) => r.keySource === 'conflict');
    expect(conflict?.reason?.code).toBe('KeyConflict');
    expect(conflict?.key.startsWith(`${KEY}!c`)).toBe(true);
  });

  it('refuses a sender outside the allow-list without calling Graph', async () => {
    const h = createHarness();
    const report = await h.deliver(asText(validMessage({ sender: 'ceo@contoso.com' })));
    expect(report).toMatchObject({ outcome: 'failed', code: 'PolicyDenied' });
    expect(h.mailer.requests).toHaveLength(0);
    expect(h.poison.texts()).toHaveLength(1);
  });

  it('refuses an unknown template and a missing template field, naming them', async () => {
    const h = createHarness();
    const unknown = await h.deliver(
      asText(validMessage({ template: 'no-such-template', idempotencyKey: 'k1' })),
    );
    expect(unknown.code).toBe('UnknownTemplate');
    const missing = await h.deliver(
      asText(validMessage({ data: { startDate: '2027-01-04' }, idempotencyKey: 'k2' })),
    );
    expect(missing.code).toBe('MissingTemplateField');
    expect((await h.state(BID, 'k2'))?.reason?.fieldPaths).toEqual(['data.candidateName']);
    expect(h.mailer.requests).toHaveLength(0);
  });

  it('a crash between recording a failure and poisoning it is healed by the redelivery', async () => {
    const h = createHarness({ script: [{ status: 400, code: 'ErrorInvalidRecipients' }] });
    h.poison.failNext('send', 'ServerBusy', 503);
    await expect(h.deliver(text)).rejects.toThrow();
    expect((await h.state(BID, KEY))?.state).toBe('failed');
    expect(h.poison.texts()).toEqual([]);
    const again = await h.deliver(text, { dequeueCount: 2 });
    expect(again.outcome).toBe('duplicate');
    expect(h.poison.texts()).toEqual([text]);
    expect((await h.state(BID, KEY))?.poisonedAt).toBeDefined();
    expect(h.mailer.requests).toHaveLength(1);
  });

  it('a deferral that loses the race for the row leaves no stray copy in the queue', async () => {
    const h = createHarness();
    const inner = h.ledger.update.bind(h.ledger);
    let raced = false;
    // Another copy settles the key as sent between this copy's read and its deferral write.
    h.ledger.update = async (rec, attempts) => {
      if (!raced && rec.state === 'deferred') {
        raced = true;
        const current = (await h.ledger.read(rec.businessId, rec.key)).value;
        if (current) await inner({ ...current, state: 'sent' });
      }
      return inner(rec, attempts);
    };
    const report = await h.deliver(asText(validMessage({ notBefore: '2026-11-25T11:00:00Z' })));
    expect(raced).toBe(true);
    expect(report.outcome).toBe('duplicate');
    expect(h.queue.texts()).toEqual([]);
  });

  it('one bad message does not disturb the next good one', async () => {
    const h = createHarness();
    await h.deliver('{"version":1');
    expect((await h.deliver(text)).outcome).toBe('sent');
  });
});

describe('what Graph answers (docs/architecture.md §3)', () => {
  it.each([
    [403, 'ErrorAccessDenied', 'PolicyDenied'],
    [404, 'ErrorInvalidUser', 'SenderNotFound'],
    [400, 'ErrorInvalidRecipients', 'GraphBadRequest'],
    [413, undefined, 'TooLarge'],
  ])(
    '%i %s is permanent (%s): poisoned, one attempt recorded, never retried',
    async (status, code, expected) => {
      const h = createHarness({ script: [{ status, ...(code ? { code } : {}) }] });
      const report = await h.deliver(text);
      expect(report).toMatchObject({ outcome: 'failed', code: expected });
      expect(h.mailer.requests).toHaveLength(1);
      expect(h.poison.texts()).toEqual([text]);
      const rec = await h.state(BID, KEY);
      expect(rec?.reason).toMatchObject({ code: expected, status });
      expect(h.attempts()[0]).toMatchObject({ status, outcome: 'permanent' });
      expect((await h.deliver(text)).outcome).toBe('duplicate');
      expect(h.mailer.requests).toHaveLength(1);
    },
  );

  it.each([500, 502, 504])('%i is held as unknown and never re-sent by a redelivery', async (status) => {
    const h = createHarness({ script: [{ status }] });
    const report = await h.deliver(text);
    expect(report).toMatchObject({ outcome: 'unknown', code: 'UnknownOutcome' });
    expect(h.events('Mail.Unknown')).toHaveLength(1);
    expect((await h.deliver(text)).outcome).toBe('duplicate');
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.poison.texts()).toHaveLength(0);
  });

  it('a timeout after the body was sent is unknown too', async () => {
    const h = createHarness({ script: [{ network: 'after-send', errorCode: 'ETIMEDOUT' }] });
    expect((await h.deliver(text)).outcome).toBe('unknown');
  });

  it('under the resend policy an unknown outcome is deferred and sent again (at-least-once)', async () => {
    const h = createHarness({ script: [{ status: 504 }], settings: { onUnknown: 'resend' } });
    expect((await h.deliver(text)).outcome).toBe('deferred');
    h.clock.advance(60_000);
    expect((await h.deliver(h.queue.texts()[0] ?? '')).outcome).toBe('sent');
    expect(h.mailer.requests).toHaveLength(2);
  });

  it('503 is retried in-process after 2 and 4 seconds, each attempt recorded', async () => {
    const h = createHarness({ script: [{ status: 503 }, { status: 503 }] });
    const report = await h.deliver(text);
    expect(report).toMatchObject({ outcome: 'sent', attempts: 3 });
    expect(h.clock.slept.slice(0, 2)).toEqual([2_000, 4_000]);
    expect(h.attempts().map((a) => a.status)).toEqual([503, 503, 202]);
    expect(new Set(h.mailer.requests.map((r) => r.clientRequestId)).size).toBe(3);
  });

  it('after three in-process retries a transient failure defers the original bytes', async () => {
    const h = createHarness({
      script: Array.from({ length: 4 }, () => ({ network: 'before-send' as const })),
    });
    const report = await h.deliver(text);
    expect(report.outcome).toBe('deferred');
    expect(h.mailer.requests).toHaveLength(4);
    expect(h.queue.texts()).toEqual([text]);
    const rec = await h.state(BID, KEY);
    expect(rec).toMatchObject({ state: 'deferred', deferrals: 1, deferredFor: 'Transient' });
    h.clock.advance((report.delaySec ?? 0) * 1000);
    expect((await h.deliver(text)).outcome).toBe('sent');
  });

  it('429 defers after Retry-After, pauses the mailbox once, and holds its other messages without calling Graph', async () => {
    const h = createHarness({
      script: [
        { status: 429, code: 'ApplicationThrottled', throttleReason: 'MailboxConcurrency', retryAfter: '7' },
      ],
    });
    const report = await h.deliver(text);
    expect(report.outcome).toBe('deferred');
    expect(report.delaySec).toBeGreaterThanOrEqual(7);
    expect(h.events('Graph.Throttled')).toHaveLength(1);
    const other = await h.deliver(asText(validMessage({ idempotencyKey: 'other-key' })));
    expect(other).toMatchObject({ outcome: 'deferred', code: 'Paused' });
    // The pause runs to Graph's Date (10:00:01, whole seconds) + a second for its truncation + Retry-After 7 s.
    expect(await h.gate.acquire({ sender: 'offers@contoso.com', recipients: 1 })).toEqual({
      kind: 'defer',
      delayMs: Date.parse('2026-11-25T10:00:09Z') - h.clock.now(),
      reason: 'Paused',
    });
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.events('Graph.Throttled')).toHaveLength(1);
  });

  it('a 429 pause is shared before the call gives up its slot, so no other message slips into the pause', async () => {
    const h = createHarness({ script: [{ status: 429, code: 'ApplicationThrottled', retryAfter: '5' }] });
    const order: string[] = [];
    const gate = {
      ...h.gate,
      acquire: async (r: Parameters<typeof h.gate.acquire>[0]) => {
        const d = await h.gate.acquire(r);
        return d.kind === 'granted'
          ? {
              ...d,
              release: async () => {
                order.push('release');
                await d.release();
              },
            }
          : d;
      },
      pause: async (r: Parameters<typeof h.gate.pause>[0]) => {
        order.push('pause');
        return h.gate.pause(r);
      },
    };
    const { createDeliver } = await import('../../src/core/delivery/deliver.js');
    await createDeliver({ ...h, gate })({ text, dequeueCount: 1 });
    expect(order).toEqual(['pause', 'release']);
  });

  it('401 with a new token from the credential is replayed once', async () => {
    const h = createHarness({ script: [{ status: 401, tokenChanged: true }] });
    expect((await h.deliver(text)).outcome).toBe('sent');
    expect(h.mailer.requests).toHaveLength(2);
  });

  it('401 with the same token is AcquireTokenFailed: deferred, not burned', async () => {
    const h = createHarness({ script: [{ status: 401, tokenChanged: false }] });
    const report = await h.deliver(text);
    expect(report).toMatchObject({ outcome: 'deferred', code: 'AcquireTokenFailed' });
    expect(h.events('Auth.Failed')).toHaveLength(1);
    expect(h.poison.texts()).toHaveLength(0);
    expect(h.mailer.requests).toHaveLength(1);
  });

  it('a second 401 after a replay is not replayed again', async () => {
    const h = createHarness({
      script: [
        { status: 401, tokenChanged: true },
        { status: 401, tokenChanged: true },
      ],
    });
    expect((await h.deliver(text)).code).toBe('AcquireTokenFailed');
    expect(h.mailer.requests).toHaveLength(2);
  });
});

describe('time windows, budgets and leases', () => {
  it('never sends after expiresAt: state expired, no Graph call, not poisoned', async () => {
    const h = createHarness();
    const report = await h.deliver(asText(validMessage({ expiresAt: '2026-11-25T09:00:00Z' })));
    expect(report).toMatchObject({ outcome: 'expired', state: 'expired' });
    expect(h.mailer.requests).toHaveLength(0);
    expect(h.poison.texts()).toHaveLength(0);
    expect(h.events('Mail.Expired')).toHaveLength(1);
  });

  it('defers until notBefore, then sends', async () => {
    const h = createHarness();
    const m = asText(validMessage({ notBefore: '2026-11-25T11:00:00Z' }));
    const report = await h.deliver(m);
    expect(report.outcome).toBe('deferred');
    expect(report.delaySec).toBeGreaterThanOrEqual(3600);
    expect(h.mailer.requests).toHaveLength(0);
    h.clock.advance((report.delaySec ?? 0) * 1000);
    expect((await h.deliver(m)).outcome).toBe('sent');
  });

  it('a copy that arrives before its deferral is due waits again without a ledger write', async () => {
    const h = createHarness();
    const m = asText(validMessage({ notBefore: '2026-11-25T11:00:00Z' }));
    await h.deliver(m);
    const before = (await h.state(BID, KEY))?.etag;
    const early = await h.deliver(m);
    expect(early).toMatchObject({ outcome: 'deferred', code: 'NotYetDue' });
    expect((await h.state(BID, KEY))?.etag).toBe(before);
  });

  it('gives up with RetriesExhausted when the attempt budget is spent', async () => {
    const h = createHarness({
      script: [{ network: 'before-send' }, { network: 'before-send' }],
      settings: { maxAttempts: 2, transientRetries: 0 },
    });
    expect((await h.deliver(text)).outcome).toBe('deferred');
    h.clock.advance(120_000);
    expect((await h.deliver(text)).outcome).toBe('deferred');
    h.clock.advance(120_000);
    const last = await h.deliver(text);
    expect(last).toMatchObject({ outcome: 'failed', code: 'RetriesExhausted' });
    expect(h.mailer.requests).toHaveLength(2);
    expect(h.poison.texts()).toEqual([text]);
  });

  it('defers behind a live send lease held by another worker, without calling Graph', async () => {
    const h = createHarness();
    const ins = await h.ledger.insert({
      ...baseSending(h.clock.now()),
      lease: { attemptId: 'other', until: new Date(h.clock.now() + 60_000).toISOString() },
    });
    expect(ins.value.state).toBe('sending');
    const report = await h.deliver(text);
    expect(report).toMatchObject({ outcome: 'deferred', code: 'SendInProgress' });
    expect(h.mailer.requests).toHaveLength(0);
    // The holder's mark is untouched: a third copy must not find the key free to send.
    const rec = await h.state(BID, KEY);
    expect(rec).toMatchObject({ state: 'sending', lease: { attemptId: 'other' } });
    expect(rec?.etag).toBe(ins.value.etag);
    expect(h.queue.texts()).toEqual([text]);
  });

  it('an expired send lease means unknown: held under the hold policy, never re-sent', async () => {
    const h = createHarness();
    await h.ledger.insert({
      ...baseSending(h.clock.now()),
      lease: { attemptId: 'crashed', until: new Date(h.clock.now() - 1).toISOString() },
    });
    expect((await h.deliver(text)).outcome).toBe('unknown');
    expect(h.mailer.requests).toHaveLength(0);
  });
});

describe('when the ledger is down', () => {
  it('never calls Graph, retries for its budget, then fails the invocation so the host retries', async () => {
    const h = createHarness({ settings: { ledgerRetryBudgetMs: 10_000 } });
    h.ledger.setOutage(true);
    await expect(h.deliver(text)).rejects.toThrow(/unavailable/);
    expect(h.mailer.requests).toHaveLength(0);
    expect(h.poison.texts()).toHaveLength(0);
  });

  it('rides out a short outage inside the invocation', async () => {
    const h = createHarness();
    h.ledger.setOutage(true);
    // The outage ends while the core waits before its first retry.
    const sleep = h.clock.sleep.bind(h.clock);
    h.clock.sleep = (ms, signal) => {
      h.ledger.setOutage(false);
      return sleep(ms, signal);
    };
    expect((await h.deliver(text)).outcome).toBe('sent');
    expect(h.clock.slept.length).toBeGreaterThan(0);
  });
});

describe('attachments', () => {
  it('reads a claim-check blob and sends it inline', async () => {
    const h = createHarness({ files: { 'CAND-777/offer.pdf': Buffer.from('%PDF-1.7 test') } });
    const m = asText(
      validMessage({
        attachments: [{ name: 'offer.pdf', contentType: 'application/pdf', blob: 'CAND-777/offer.pdf' }],
      }),
    );
    expect((await h.deliver(m)).outcome).toBe('sent');
    const sent = h.mailer.requests[0]?.message.attachments?.[0];
    expect(Buffer.from(sent?.contentBytes ?? '', 'base64').toString()).toBe('%PDF-1.7 test');
  });

  it('a missing blob is a permanent AttachmentNotFound naming the attachment, not the path', async () => {
    const h = createHarness();
    const m = asText(
      validMessage({
        attachments: [{ name: 'offer.pdf', contentType: 'application/pdf', blob: 'CAND-777/gone.pdf' }],
      }),
    );
    const report = await h.deliver(m);
    expect(report).toMatchObject({ outcome: 'failed', code: 'AttachmentNotFound' });
    const rec = await h.state(BID, KEY);
    expect(rec?.reason?.fieldPaths).toEqual(['attachments[0].blob']);
    expect(JSON.stringify(rec)).not.toContain('gone.pdf');
    expect(h.mailer.requests).toHaveLength(0);
  });
});

describe('privacy', () => {
  it('keeps names, addresses, subject and data out of telemetry, logs and the ledger', async () => {
    const h = createHarness({ script: [{ status: 503 }, { status: 400, code: 'ErrorInvalidRecipients' }] });
    await h.deliver(text);
    await h.deliver(asText(validMessage({ idempotencyKey: 'k-2' })));
    const everything = JSON.stringify([h.items, h.ledger.snapshot()]);
    for (const needle of ['Zebulon', 'Quartermaine', 'zebulon.quartermaine', 'Your offer', '2027-01-04']) {
      expect(everything).not.toContain(needle);
    }
    expect(everything).toContain('example.org');
  });
});

function baseSending(now: number) {
  const iso = new Date(now).toISOString();
  return minimalRecord({
    businessId: BID,
    key: KEY,
    keySource: 'given',
    state: 'sending',
    payloadHash: payloadHash(JSON.parse(text)),
    firstSeen: iso,
    lastSeen: iso,
  });
}
