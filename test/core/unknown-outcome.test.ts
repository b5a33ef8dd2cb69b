import { describe, expect, it } from 'vitest';
import { asText, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

const KEY = 'offer-CAND-777-2026-11';
const BID = 'CAND-777';
const text = asText(validMessage());

/** Delivers the next due copy from the main queue, as the worker would once its delay has passed. */
async function nextCopy(h: ReturnType<typeof createHarness>) {
  const [entry] = h.queue.entries();
  if (!entry) throw new Error('no copy in the queue');
  h.clock.advance(Math.max(0, entry.visibleAt - h.clock.now()));
  const [received] = await h.queue.receive(1, 30);
  if (!received) throw new Error('the copy is not visible');
  await h.queue.delete(received);
  return h.deliver(received.text);
}

describe('unknown outcomes under hold (the default)', () => {
  it('holds the original bytes in <queue>-held and records unknown, never re-sending', async () => {
    const h = createHarness({ script: [{ status: 504, accepted: true }] });
    const report = await h.deliver(text);
    expect(report).toMatchObject({ outcome: 'unknown', code: 'UnknownOutcome' });
    expect(h.held.texts()).toEqual([text]);
    const rec = await h.state(BID, KEY);
    expect(rec?.heldAt).toBeDefined();
    expect(rec?.unknownSince).toBeDefined();
    expect(rec?.reason?.attemptIds).toHaveLength(1);
    expect((await h.deliver(text)).outcome).toBe('duplicate');
    expect(h.mailer.requests).toHaveLength(1);
  });
});

describe('unknown outcomes under verify', () => {
  it('looks the key up after a delay and settles the mail as sent when it is found', async () => {
    const h = createHarness({ script: [{ status: 504, accepted: true }], settings: { onUnknown: 'verify' } });
    const first = await h.deliver(text);
    expect(first).toMatchObject({ outcome: 'unknown', delaySec: 60 });
    expect(h.held.texts()).toEqual([]);
    const settled = await nextCopy(h);
    expect(settled).toMatchObject({ outcome: 'sent', state: 'sent' });
    const rec = await h.state(BID, KEY);
    expect(rec).toMatchObject({ verifications: 1, attempts: 2 });
    expect(rec?.sentAt).toBe(rec?.unknownSince);
    expect(h.attempts().map((a) => a.outcome)).toEqual(['unknown', 'found']);
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.events('Mail.Sent')[0]?.properties.verified).toBe(true);
  });

  it('keeps looking until the grace period ends, then holds it — never sends it again', async () => {
    const h = createHarness({
      script: [{ status: 500 }],
      settings: { onUnknown: 'verify', verifyGraceMs: 30 * 60_000 },
    });
    await h.deliver(text);
    const outcomes: string[] = [];
    for (let i = 0; i < 10 && h.queue.entries().length > 0; i++) outcomes.push((await nextCopy(h)).outcome);
    expect(outcomes.every((o) => o === 'unknown')).toBe(true);
    const rec = await h.state(BID, KEY);
    expect(rec?.heldAt).toBeDefined();
    expect(rec?.verifications).toBeGreaterThanOrEqual(3);
    expect(h.held.texts()).toEqual([text]);
    expect(h.mailer.requests).toHaveLength(1);
  });

  it('verify-then-resend sends again, with the same key, only after the grace period found nothing', async () => {
    const h = createHarness({
      script: [{ status: 502 }],
      settings: { onUnknown: 'verify-then-resend', verifyGraceMs: 10 * 60_000 },
    });
    await h.deliver(text);
    let last = await nextCopy(h);
    while (last.outcome === 'unknown') last = await nextCopy(h);
    expect(last.outcome).toBe('sent');
    expect(h.mailer.requests).toHaveLength(2);
    expect(h.mailer.requests[1]?.message.singleValueExtendedProperties?.[0]?.value).toBe(KEY);
  });

  it('refuses a message that would not be in Sent Items, since verify could never find it', async () => {
    const h = createHarness({ settings: { onUnknown: 'verify' } });
    const report = await h.deliver(asText(validMessage({ saveToSentItems: false })));
    expect(report).toMatchObject({ outcome: 'failed', code: 'InvalidMessage' });
    expect((await h.state(BID, KEY))?.reason?.fieldPaths).toEqual(['saveToSentItems']);
    expect(h.mailer.requests).toHaveLength(0);
  });
});

describe('breakers hold work instead of burning it', () => {
  it('after AcquireTokenFailed, other messages wait without calling Graph until a probe succeeds', async () => {
    const h = createHarness({ script: [{ status: 401, tokenChanged: false }] });
    expect((await h.deliver(text)).code).toBe('AcquireTokenFailed');
    const held = await h.deliver(asText(validMessage({ idempotencyKey: 'k-2' })));
    expect(held).toMatchObject({ outcome: 'deferred', code: 'AuthBlocked' });
    expect(h.mailer.requests).toHaveLength(1);
    expect(h.events('Auth.Failed')).toHaveLength(1);
    h.clock.advance(60_000);
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-3' })))).outcome).toBe('sent');
    expect(h.events('Breaker.Recovered')).toHaveLength(1);
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-4' })))).outcome).toBe('sent');
  });

  it('a token that cannot be acquired trips the same breaker', async () => {
    const h = createHarness({ script: [{ network: 'before-send', errorCode: 'TokenAcquisition' }] });
    expect((await h.deliver(text)).code).toBe('AcquireTokenFailed');
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-2' })))).code).toBe('AuthBlocked');
  });

  it('a 403 fails that message and holds the mailbox’s others, probing one every few minutes', async () => {
    const h = createHarness({
      script: [
        { status: 403, code: 'ErrorAccessDenied' },
        { status: 202 },
        { status: 403, code: 'ErrorAccessDenied' },
      ],
      settings: { allowedSenders: new Set(['offers@contoso.com', 'people@contoso.com']) },
    });
    expect((await h.deliver(text)).code).toBe('PolicyDenied');
    expect(h.events('Mailbox.Blocked')).toHaveLength(1);
    const heldBack = await h.deliver(asText(validMessage({ idempotencyKey: 'k-2' })));
    expect(heldBack).toMatchObject({ outcome: 'deferred', code: 'MailboxBlocked' });
    expect(h.poison.texts()).toHaveLength(1);
    // Another mailbox is not held.
    expect(
      (await h.deliver(asText(validMessage({ idempotencyKey: 'k-3', sender: 'people@contoso.com' }))))
        .outcome,
    ).toBe('sent');
    // After the probe interval one message is let through; still 403: it fails, the rest stay held.
    h.clock.advance(5 * 60_000);
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-4' })))).code).toBe('PolicyDenied');
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-5' })))).code).toBe('MailboxBlocked');
    expect(h.events('Mailbox.Blocked')).toHaveLength(1);
    // The fence is fixed: the next probe succeeds and the mailbox flows again.
    h.clock.advance(5 * 60_000);
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-6' })))).outcome).toBe('sent');
    expect((await h.deliver(asText(validMessage({ idempotencyKey: 'k-7' })))).outcome).toBe('sent');
  });
});

describe('crashes and unexpected errors', () => {
  it('passes the crash points in order: before the mark, after it, during and after the send, after the record', async () => {
    const h = createHarness();
    const points: string[] = [];
    const { createDeliver } = await import('../../src/core/delivery/deliver.js');
    const deliver = createDeliver({ ...h, crashHook: (p) => points.push(p) });
    await deliver({ text, dequeueCount: 1 });
    expect(points).toEqual(['before-mark', 'after-mark', 'during-send', 'after-send', 'after-record']);
  });

  it('a crash after the ledger write but before the index write is healed by the redelivery', async () => {
    const h = createHarness();
    const { createDeliver } = await import('../../src/core/delivery/deliver.js');
    const dying = createDeliver({
      ...h,
      crashHook: (p) => {
        if (p === 'after-record') throw new Error('killed');
      },
    });
    await expect(dying({ text, dequeueCount: 1 })).rejects.toThrow('killed');
    // The key's claim was written before its first row; the request ids' look-up rows were not.
    expect(await h.ledger.lookup('key', KEY)).toMatchObject({ businessId: BID });
    const requestId = (await h.state(BID, KEY))?.lastRequestId ?? '';
    expect(requestId).not.toBe('');
    expect(await h.ledger.lookup('request-id', requestId)).toBeUndefined();
    expect((await h.deliver(text, { dequeueCount: 2 })).outcome).toBe('duplicate');
    expect(await h.ledger.lookup('request-id', requestId)).toMatchObject({ key: KEY });
  });

  it('leaves the name of an unexpected error on the key’s row, so a host-poisoned message is explainable', async () => {
    const h = createHarness();
    const { createDeliver } = await import('../../src/core/delivery/deliver.js');
    const broken = {
      ...h.templates,
      render: () => {
        throw new TypeError('boom');
      },
    };
    const deliver = createDeliver({ ...h, templates: broken });
    await expect(deliver({ text, dequeueCount: 1 })).rejects.toThrow('boom');
    expect((await h.state(BID, KEY))?.lastError).toBe('TypeError');
    expect(h.mailer.requests).toHaveLength(0);
  });
});
