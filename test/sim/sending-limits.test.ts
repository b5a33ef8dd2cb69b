import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireGraphToken,
  callGraph,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createManualClock, type ManualClock } from './support/manual-clock.js';

const A = 'offers@contoso.com';
const B = 'policy@contoso.com';
const RATE_WINDOW_MS = 10_000;
const RECIPIENT_WINDOW_MS = 60_000;

function recipients(n: number): { emailAddress: { address: string } }[] {
  return Array.from({ length: n }, (_, i) => ({ emailAddress: { address: `person${i}@example.org` } }));
}

describe('Exchange’s sending limits, scaled down', () => {
  let t: TestSimulator;
  let clock: ManualClock;
  let token: string;
  beforeAll(async () => {
    clock = createManualClock();
    t = await startTestSimulator({
      mailboxes: [A, B],
      clock,
      mailboxPerMinute: 3,
      rateWindowMs: RATE_WINDOW_MS,
      recipientsPerDay: 10,
      recipientWindowMs: RECIPIENT_WINDOW_MS,
    });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  const send = async (mailbox: string, to = 1, cc = 0) =>
    (
      await callGraph(t.sim, `/v1.0/users/${mailbox}/sendMail`, {
        method: 'POST',
        token,
        body: mailBody({ toRecipients: recipients(to), ccRecipients: recipients(cc) }),
      })
    ).status;

  it('accepts mail above a mailbox’s rate and counts it as over-rate, per mailbox, in a sliding window', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(await send(A));
      clock.advance(1_000);
    }
    statuses.push(await send(B));
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    expect(t.sim.accepted().map((m) => m.overRate)).toEqual([false, false, false, true, false]);
    expect(t.sim.stats()).toMatchObject({
      acceptedByMailbox: { [A]: 4, [B]: 1 },
      overRateByMailbox: { [A]: 1 },
      throttled: { total: 0 },
    });

    // 11 s after the first send, two sends (at 2 s and 3 s) are still in the window: one more fits.
    clock.advance(RATE_WINDOW_MS - 3_000);
    await send(A);
    await send(A);
    expect(t.sim.accepted().map((m) => m.overRate)).toEqual([false, false, false, true, false, false, true]);
  });

  it('counts to + cc + bcc against a rolling recipient budget; over-budget mail is accepted and counted', async () => {
    expect(await send(A, 4, 2)).toBe(202);
    expect(await send(A, 5)).toBe(202); // 6 + 5 > 10
    expect(await send(A, 4)).toBe(202); // 6 + 4 = 10: the refused-to-deliver mail spent nothing
    expect(await send(B, 10)).toBe(202);
    expect(t.sim.accepted().map((m) => m.overBudget)).toEqual([false, true, false, false]);
    expect(t.sim.stats().overBudgetByMailbox).toEqual({ [A]: 1 });

    clock.advance(RECIPIENT_WINDOW_MS);
    expect(await send(A, 10)).toBe(202);
    expect(t.sim.stats().overBudgetByMailbox).toEqual({ [A]: 1 });
  });

  it('forgets the windows on reset', async () => {
    for (let i = 0; i < 4; i++) await send(A, 3);
    expect(t.sim.stats().overRateByMailbox).toEqual({ [A]: 1 });
    t.sim.reset();
    for (let i = 0; i < 3; i++) await send(A, 3);
    expect(t.sim.stats()).toMatchObject({ overRateByMailbox: {}, overBudgetByMailbox: {} });
  });
});
