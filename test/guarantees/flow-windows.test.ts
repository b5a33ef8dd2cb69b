import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { SAMPLE_SENDERS } from '../../src/cli/samples.js';
import type { SimulatorHandle } from '../../src/sim/index.js';
import { startGuaranteeStack, type GuaranteeStack, type Lane } from '../support/guarantee-stack.js';
import { startWorkerFleet, type FleetReport } from '../support/worker-fleet.js';
import { duplicates, gatherEvidence, statesByKey } from './support/evidence.js';
import { backlog, fromSender, sampleMessages, type GuaranteeMessage } from './support/messages.js';
import { reportsFor } from './support/reports.js';
import { eventsOf, readEvents } from './support/telemetry.js';

// The per-mailbox sending windows across worker processes ("flow control across instances"):
// Exchange's message rate (30 per minute) and its recipients per rolling 24 h (10,000, then NDRs),
// both on windows shrunk by dev-mode time scaling. The simulator counts — on the same limits and
// windows, never refusing — every accepted mail that was over the rate or took its mailbox over the
// budget. Catches: a limit counted per process, mail over a limit sent (or failed) instead of
// deferred, mail held back forever, and a window that forgets a send before a full window has
// passed (so a burst gets through at its edge).
//
// Every test has mailboxes of its own and asserts only their counts, so they run at once.

/** The rate, on both sides: 4 per 5 s (60 s / time scale 12). */
const RATE = { perWindow: 4, timeScale: 12 };
const RATE_WINDOW_MS = 60_000 / RATE.timeScale;
/** The recipient budget, on both sides: 2 per 24 s (24 h / time scale 3600; 24 buckets of 1 s). */
const BUDGET = { recipients: 2, timeScale: 3600 };
const BUDGET_WINDOW_MS = (24 * 3_600_000) / BUDGET.timeScale;

const MAILBOXES = {
  rate: ['rate-1@contoso.com', 'rate-2@contoso.com'],
  rateEdge: 'rate-edge@contoso.com',
  budget: 'budget@contoso.com',
  budgetEdge: 'budget-edge@contoso.com',
};

const rateEnv = {
  HR_COURIER_MAILBOX_PER_MINUTE: String(RATE.perWindow),
  HR_COURIER_TIME_SCALE: String(RATE.timeScale),
};
const budgetEnv = {
  HR_COURIER_MAILBOX_RECIPIENTS_PER_DAY: String(BUDGET.recipients),
  HR_COURIER_TIME_SCALE: String(BUDGET.timeScale),
};

const sentKeys = (reports: readonly FleetReport[]) =>
  new Set(reports.filter((r) => r.outcome === 'sent').map((r) => r.key));
const allSent = (messages: readonly GuaranteeMessage[]) => (reports: readonly FleetReport[]) => {
  const sent = sentKeys(reports);
  return messages.every((m) => sent.has(m.key));
};
const acceptedAt = (sim: SimulatorHandle, key: string) =>
  Date.parse(sim.accepted().find((a) => a.key === key)?.acceptedAt ?? '');
/** Waits until the clock is `ms` into a second: "late in a second" is where the window edges bite. */
const intoSecond = (ms: number) => sleep((1_000 + ms - (Date.now() % 1_000)) % 1_000);

describe('per-mailbox sending windows across worker processes', () => {
  let stack: GuaranteeStack | undefined;
  let hostJson: string;

  beforeAll(async () => {
    stack = await startGuaranteeStack({
      senders: [...SAMPLE_SENDERS, ...Object.values(MAILBOXES).flat()],
      simulator: {
        latencyMs: 150,
        // The simulator only measures: no 429 of its own, whatever hr-courier does.
        maxConcurrentPerApp: 0,
        maxConcurrentPerMailbox: 0,
        mailboxPerMinute: RATE.perWindow,
        rateWindowMs: RATE_WINDOW_MS,
        recipientsPerDay: BUDGET.recipients,
        recipientWindowMs: BUDGET_WINDOW_MS,
      },
    });
    // Poll every 100 ms when idle: mail is picked up when it becomes due, not up to a second later.
    hostJson = await stack.hostJson({ maxPollingInterval: '00:00:00.1' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function run(
    lane: Lane,
    count: number,
    drive: (fleet: ReturnType<typeof startWorkerFleet>) => Promise<void>,
  ) {
    if (!stack) throw new Error('no stack');
    const fleet = startWorkerFleet({ env: lane.env, count, cwd: stack.dir, args: ['--host-json', hostJson] });
    try {
      await drive(fleet);
    } finally {
      await fleet.stopAll();
    }
    return fleet.reports();
  }

  async function expectAllSentOnce(expect: ExpectStatic, lane: Lane, messages: readonly GuaranteeMessage[]) {
    if (!stack) throw new Error('no stack');
    const evidence = await gatherEvidence(lane, stack.sim, messages);
    expect(duplicates(evidence)).toEqual([]);
    expect(Object.values(statesByKey(evidence))).toEqual(messages.map(() => 'sent'));
  }

  it.concurrent(
    `rate: never more than ${RATE.perWindow} per mailbox in any ${RATE_WINDOW_MS} ms, and everything is delivered`,
    { timeout: 90_000 },
    async ({ expect }) => {
      if (!stack) throw new Error('no stack');
      const lane = await stack.newLane('rate', { env: rateEnv });
      // Twice the rate per mailbox, over three processes: the second half must wait for the window.
      const messages = await backlog('rate', MAILBOXES.rate, RATE.perWindow * 2);
      for (const m of messages) await lane.enqueue(m.text);
      await run(lane, 3, (fleet) =>
        fleet.waitFor(allSent(messages), 60_000, 'the backlog').then(() => undefined),
      );
      const stats = stack.sim.stats();
      for (const box of MAILBOXES.rate) {
        expect(stats.acceptedByMailbox[box], box).toBe(RATE.perWindow * 2);
        expect(stats.overRateByMailbox[box] ?? 0, `${box}: sends above the rate`).toBe(0);
      }
      await expectAllSentOnce(expect, lane, messages);
    },
  );

  it.concurrent(
    'rate: a send late in a second still counts for a whole window',
    { timeout: 90_000 },
    async ({ expect }) => {
      if (!stack) throw new Error('no stack');
      const sim = stack.sim;
      const lane = await stack.newLane('rateedge', { env: rateEnv });
      const [first, ...rest] = await backlog('rateedge', [MAILBOXES.rateEdge], RATE.perWindow + 1);
      const burst = [first, ...rest.slice(0, -1)].filter((m) => m !== undefined);
      const more = rest.at(-1);
      if (!first || !more) throw new Error('no messages');
      await run(lane, 1, async (fleet) => {
        // A full window's worth, starting in the second half of a second.
        await intoSecond(400);
        for (const m of burst) await lane.enqueue(m.text);
        await fleet.waitFor(allSent(burst), 30_000, 'the first window');
        const firstAt = Math.min(...burst.map((m) => acceptedAt(sim, m.key)));
        // One more as soon as a whole window has passed by the second-resolution clock, which is up
        // to a second before a whole window has really passed since the oldest send.
        await sleep(Math.max(0, Math.floor(firstAt / 1_000) * 1_000 + RATE_WINDOW_MS + 20 - Date.now()));
        await lane.enqueue(more.text);
        await fleet.waitFor(allSent([more]), 30_000, 'one more');
        const gap = acceptedAt(sim, more.key) - firstAt;
        expect(
          sim.stats().overRateByMailbox[MAILBOXES.rateEdge] ?? 0,
          `one more sent ${gap} ms after the oldest`,
        ).toBe(0);
      });
      await expectAllSentOnce(expect, lane, [...burst, more]);
    },
  );

  it.concurrent(
    'budget: mail over budget is deferred with RecipientBudget and delivered when the window allows, never over',
    { timeout: 90_000 },
    async ({ expect }) => {
      if (!stack) throw new Error('no stack');
      const lane = await stack.newLane('budget', { env: budgetEnv });
      // Single-recipient messages (not the onboarding sample: it has a cc), twice the budget.
      const messages = (await sampleMessages('budget', 8))
        .filter((m) => m.template !== 'onboarding-welcome')
        .slice(0, BUDGET.recipients * 2)
        .map((m) => fromSender(m, MAILBOXES.budget));
      for (const m of messages) await lane.enqueue(m.text);
      const reports = await run(lane, 2, (fleet) =>
        fleet.waitFor(allSent(messages), 75_000, 'the backlog, as the window allows').then(() => undefined),
      );
      // Exchange never saw the mailbox over its budget in any rolling window, yet everything went out.
      expect(stack.sim.stats().overBudgetByMailbox[MAILBOXES.budget] ?? 0, 'mails over budget').toBe(0);
      await expectAllSentOnce(expect, lane, messages);
      // The held-back half was deferred (not failed) for the budget, and said so.
      const heldBack = messages.filter((m) =>
        reportsFor(reports, m.key).some((r) => r.outcome === 'deferred' && r.code === 'RecipientBudget'),
      );
      expect(heldBack).toHaveLength(BUDGET.recipients);
      const events = await readEvents(lane.telemetryFile);
      for (const m of heldBack) {
        expect(eventsOf(events, m.key, 'Mail.Deferred').map((e) => e.properties.why)).toContain(
          'RecipientBudget',
        );
      }
    },
  );

  it.concurrent(
    'budget: recipients sent late in a bucket still count for a whole window',
    { timeout: 90_000 },
    async ({ expect }) => {
      if (!stack) throw new Error('no stack');
      const sim = stack.sim;
      const lane = await stack.newLane('budgetedge', { env: budgetEnv });
      const samples = await sampleMessages('budgetedge', 2);
      const [more, whole] = samples.map((m) => fromSender(m, MAILBOXES.budgetEdge));
      if (!more || !whole) throw new Error('no messages');
      // The onboarding sample has two recipients (to + cc): it takes the whole budget in one send.
      expect(whole.template).toBe('onboarding-welcome');
      const reports = await run(lane, 1, async (fleet) => {
        // Sent in the second half of a second, i.e. of one of hr-courier's one-second buckets.
        await intoSecond(400);
        await lane.enqueue(whole.text);
        await fleet.waitFor(allSent([whole]), 30_000, 'the first send');
        const firstAt = acceptedAt(sim, whole.key);
        // One more recipient as soon as that send's bucket has left a 24-bucket window, up to a
        // second before the send itself is a whole window old.
        await sleep(Math.max(0, Math.floor(firstAt / 1_000) * 1_000 + BUDGET_WINDOW_MS + 20 - Date.now()));
        await lane.enqueue(more.text);
        await fleet.waitFor(allSent([more]), 60_000, 'the second send');
        const gap = acceptedAt(sim, more.key) - firstAt;
        expect(
          sim.stats().overBudgetByMailbox[MAILBOXES.budgetEdge] ?? 0,
          `second send ${gap} ms after the first`,
        ).toBe(0);
        expect(gap).toBeGreaterThanOrEqual(BUDGET_WINDOW_MS);
      });
      expect(reportsFor(reports, more.key)[0]).toMatchObject({
        outcome: 'deferred',
        code: 'RecipientBudget',
      });
      await expectAllSentOnce(expect, lane, [whole, more]);
    },
  );
});
