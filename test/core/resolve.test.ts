import { describe, expect, it } from 'vitest';
import { resolveUnknown, ResolveError } from '../../src/core/resolve.js';
import { asText, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

const KEY = 'offer-CAND-777-2026-11';
const text = asText(validMessage());
const other = asText(validMessage({ idempotencyKey: 'other-held', businessId: 'CAND-778' }));

async function heldUnknown() {
  const h = createHarness({ script: [{ status: 504, accepted: true }, { status: 504 }] });
  await h.deliver(text);
  await h.deliver(other);
  expect(h.held.texts()).toEqual([text, other]);
  const deps = { ledger: h.ledger, held: h.held, queue: h.queue, telemetry: h.telemetry, clock: h.clock };
  return { h, deps };
}

describe('resolving a held unknown outcome', () => {
  it('--sent records the decision, reason and operator, and removes only that key’s held copy', async () => {
    const { h, deps } = await heldUnknown();
    const result = await resolveUnknown(deps, {
      key: KEY,
      decision: 'sent',
      reason: 'found in Sent Items',
      by: 'ops-anna',
    });
    expect(result).toMatchObject({ state: 'sent', heldCopies: 1 });
    const rec = await h.state('CAND-777', KEY);
    expect(rec?.resolution).toMatchObject({
      decision: 'sent',
      reason: 'found in Sent Items',
      by: 'ops-anna',
    });
    expect(rec?.sentAt).toBe(rec?.unknownSince);
    h.clock.advance(200_000);
    expect(h.held.texts()).toEqual([other]);
    expect(h.events('Mail.Resolved')[0]?.properties).toMatchObject({ decision: 'sent', key: KEY });
    expect(JSON.stringify(h.events('Mail.Resolved'))).not.toContain('ops-anna');
  });

  it('--resend reopens the key and puts the original back on the queue; it is then sent again with the same key', async () => {
    const { h, deps } = await heldUnknown();
    await resolveUnknown(deps, {
      key: KEY,
      decision: 'resend',
      reason: 'recipient confirmed nothing arrived',
      by: 'ops',
    });
    expect((await h.state('CAND-777', KEY))?.state).toBe('received');
    expect(h.queue.texts()).toEqual([text]);
    expect((await h.deliver(text)).outcome).toBe('sent');
    expect(
      h.mailer.requests.filter((r) => r.message.singleValueExtendedProperties?.[0]?.value === KEY),
    ).toHaveLength(2);
  });

  it('refuses a key that is not unknown, and a resend without the held original, changing nothing', async () => {
    const { h, deps } = await heldUnknown();
    await resolveUnknown(deps, { key: KEY, decision: 'sent', reason: 'x', by: 'ops' });
    await expect(
      resolveUnknown(deps, { key: KEY, decision: 'resend', reason: 'x', by: 'ops' }),
    ).rejects.toThrow(/is sent, not unknown/);
    h.clock.advance(200_000);
    const [copy] = await h.held.receive(1, 30);
    if (copy) await h.held.delete(copy);
    const before = await h.state('CAND-778', 'other-held');
    await expect(
      resolveUnknown(deps, { key: 'other-held', decision: 'resend', reason: 'x', by: 'ops' }),
    ).rejects.toThrow(ResolveError);
    expect((await h.state('CAND-778', 'other-held'))?.etag).toBe(before?.etag);
    await expect(
      resolveUnknown(deps, { key: 'no-such-key', decision: 'sent', reason: 'x', by: 'ops' }),
    ).rejects.toThrow(/no ledger entry/);
  });
});
