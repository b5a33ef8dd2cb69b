import { describe, expect, it } from 'vitest';
import { createDeliver } from '../../src/core/delivery/deliver.js';
import type { DeliveryReport } from '../../src/core/delivery/types.js';
import { asText, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

/*
 * The holes an adversarial review found that sent one idempotency key twice. Each test drives two
 * copies of one message through the real core, interleaved at the point the hole needed.
 */

const KEY = 'offer-CAND-777-2026-11';
const BID = 'CAND-777';
const text = asText(validMessage());

/** A promise and the function that resolves it. */
function latch<T = void>() {
  let open: (value: T) => void = () => undefined;
  const opened = new Promise<T>((resolve) => (open = resolve));
  return { opened, open };
}

describe('verify-then-resend never reopens a key another copy has sent meanwhile', () => {
  it('two look-up copies past the grace period: one resends, the other’s stale not-found changes nothing', async () => {
    const h = createHarness({
      script: [{ status: 500 }],
      settings: { onUnknown: 'verify-then-resend', verifyGraceMs: 10 * 60_000 },
    });
    expect((await h.deliver(text)).outcome).toBe('unknown');
    h.clock.advance(11 * 60_000); // past the grace period: a not-found now means "send it again"

    // Copy 1 looks the key up; Graph's answer (not found: nothing was sent yet) comes back only after
    // copy 2 has looked, resent and recorded `sent`.
    const copy1Looked = latch();
    const copy2Done = latch();
    let lookups = 0;
    const slowFirstLookup = {
      ...h.mailer,
      async findByKey(sender: string, key: string, clientRequestId: string) {
        const answer = await h.mailer.findByKey(sender, key, clientRequestId);
        if (++lookups === 1) {
          copy1Looked.open();
          await copy2Done.opened;
        }
        return answer;
      },
    };
    const deliver = createDeliver({ ...h, mailer: slowFirstLookup });
    const copy1 = deliver({ text, dequeueCount: 2 });
    await copy1Looked.opened;
    const copy2 = await deliver({ text, dequeueCount: 2 });
    copy2Done.open();
    const first = await copy1;

    expect(copy2.outcome).toBe('sent');
    expect(first.outcome).not.toBe('sent');
    // One 500 (unknown), then exactly one resend.
    expect(h.mailer.requests).toHaveLength(2);
    expect((await h.state(BID, KEY))?.state).toBe('sent');
    // Copy 1's look-up is kept as evidence, after the send it did not know about.
    expect(h.attempts().map((a) => a.outcome)).toEqual(['unknown', 'not-found', 'sent', 'not-found']);
  });
});

describe('a look-up that fails is no evidence that the mail was not sent', () => {
  it('verify-then-resend past the grace period holds the key when the look-up answers 503: no resend', async () => {
    const h = createHarness({
      script: [{ status: 504 }],
      settings: { onUnknown: 'verify-then-resend', verifyGraceMs: 10 * 60_000 },
    });
    expect((await h.deliver(text)).outcome).toBe('unknown');
    h.clock.advance(11 * 60_000);
    const failingLookup = {
      ...h.mailer,
      findByKey: (_sender: string, _key: string, clientRequestId: string) =>
        Promise.resolve({
          found: false,
          answer: { kind: 'response' as const, status: 503, clientRequestId, durationMs: 1 },
        }),
    };
    const report = await createDeliver({ ...h, mailer: failingLookup })({ text, dequeueCount: 2 });
    expect(report.outcome).toBe('unknown');
    expect(h.mailer.requests).toHaveLength(1);
    const row = await h.state(BID, KEY);
    expect(row?.state).toBe('unknown');
    expect(row?.heldAt).toBeDefined();
    expect(h.held.texts()).toEqual([text]);
  });
});

describe('the send lease is measured from the server’s time now, not from the last ledger call', () => {
  /**
   * Copy 1 reads the row, spends 70 s reading its attachment, then POSTs for 25 s; copy 2 arrives during
   * the POST. The lease (90 s) must still be live then: 70 s of attachment read are not lease time.
   */
  async function race(onUnknown: 'hold' | 'resend') {
    const h = createHarness({
      settings: { onUnknown, leaseMs: 90_000, sendTimeoutMs: 30_000 },
      files: { 'CAND-777/offer.pdf': Buffer.from('%PDF-1.4 offer') },
    });
    const message = asText(
      validMessage({
        attachments: [{ name: 'offer.pdf', contentType: 'application/pdf', blob: 'CAND-777/offer.pdf' }],
      }),
    );
    const slowRead = {
      ...h.attachments,
      async read(path: string, maxBytes: number) {
        h.clock.advance(70_000);
        return h.attachments.read(path, maxBytes);
      },
    };
    let copy2: DeliveryReport | undefined;
    const plain = createDeliver({ ...h });
    const slowPost = {
      ...h.mailer,
      async sendMail(request: Parameters<typeof h.mailer.sendMail>[0]) {
        h.clock.advance(25_000);
        copy2 ??= await plain({ text: message, dequeueCount: 1 });
        return h.mailer.sendMail(request);
      },
    };
    const copy1 = await createDeliver({ ...h, attachments: slowRead, mailer: slowPost })({
      text: message,
      dequeueCount: 1,
    });
    return { h, copy1, copy2 };
  }

  it('under resend, a copy arriving during the POST waits instead of calling Graph again', async () => {
    const { h, copy1, copy2 } = await race('resend');
    expect(copy2).toMatchObject({ outcome: 'deferred', code: 'SendInProgress' });
    expect(copy1.outcome).toBe('sent');
    expect(h.mailer.requests).toHaveLength(1);
  });

  it('under hold, the key is not marked unknown and no copy is left in <queue>-held', async () => {
    const { h, copy1, copy2 } = await race('hold');
    expect(copy2).toMatchObject({ outcome: 'deferred', code: 'SendInProgress' });
    expect(copy1.outcome).toBe('sent');
    expect((await h.state(BID, KEY))?.unknownSince).toBeUndefined();
    expect(h.held.texts()).toEqual([]);
  });
});

describe('a key identifies one email across the whole ledger, whatever the businessId', () => {
  for (const [label, other] of [
    ['another businessId', 'CAND-888'],
    ['a businessId differing only in case', 'cand-777'],
  ] as const) {
    it(`the same key under ${label} is a KeyConflict: never a second send, never a silent ack`, async () => {
      const h = createHarness();
      expect((await h.deliver(text)).outcome).toBe('sent');
      const second = asText(validMessage({ businessId: other }));
      const report = await h.deliver(second);
      expect(report).toMatchObject({ outcome: 'failed', code: 'KeyConflict', businessId: other });
      expect(h.mailer.requests).toHaveLength(1);
      expect(h.poison.texts()).toEqual([second]);
      // trace --key and resolve follow the key's claim: still the first businessId's email.
      expect(await h.ledger.lookup('key', KEY)).toMatchObject({ businessId: BID });
      expect((await h.deliver(second)).code).toBe('KeyConflict');
      expect(h.mailer.requests).toHaveLength(1);
    });
  }

  it('two businessIds racing for one new key: one is sent, the other is a KeyConflict', async () => {
    const h = createHarness();
    const [a, b] = await Promise.all([
      h.deliver(text),
      h.deliver(asText(validMessage({ businessId: 'CAND-888' }))),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['failed', 'sent']);
    expect([a, b].find((r) => r.outcome === 'failed')?.code).toBe('KeyConflict');
    expect(h.mailer.requests).toHaveLength(1);
  });
});
