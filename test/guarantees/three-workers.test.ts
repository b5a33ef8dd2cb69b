import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { TERMINAL_STATES } from '../../src/ports/ledger.js';
import { startGuaranteeStack, type GuaranteeStack } from '../support/guarantee-stack.js';
import { startWorkerFleet, type FleetReport } from '../support/worker-fleet.js';
import { duplicates, gatherEvidence, statesByKey, unmarkedSends } from './support/evidence.js';
import { sampleMessages, type GuaranteeMessage } from './support/messages.js';
import { reportsFor, settledKeys } from './support/reports.js';

const COPIES = 3;

const allSettled = (messages: readonly GuaranteeMessage[]) => (reports: readonly FleetReport[]) => {
  const settled = settledKeys(reports);
  return messages.every((m) => settled.has(m.key));
};

// Scale-out on one queue: three worker processes, every message enqueued three times (a producer that
// retried its own send), the copies racing each other across processes. Default policy (hold).
describe('three workers on one queue, every message enqueued three times', () => {
  let stack: GuaranteeStack | undefined;

  beforeAll(async () => {
    // Each send takes a moment, so copies meet one another while a send is in flight.
    stack = await startGuaranteeStack({ simulator: { latencyMs: 200 } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /**
   * Runs the scenario; `faulty` keys get Graph's worst answer: the mail is accepted, then 504.
   * Returns what the assertions need.
   */
  async function runScenario(tag: string, faulty: (messages: GuaranteeMessage[]) => GuaranteeMessage[]) {
    if (!stack) throw new Error('no stack');
    const lane = await stack.newLane(tag, {
      // Dev-mode time scaling shortens the `sending` lease (5 s + 60 s / 12 = 10 s), so a copy that
      // found a send in progress comes round again in seconds rather than a minute and a half.
      // The two tests run at once against one simulator (Graph's 4 requests at once per app): 2 each.
      env: {
        HR_COURIER_SEND_TIMEOUT_SEC: '5',
        HR_COURIER_TIME_SCALE: '12',
        HR_COURIER_APP_CONCURRENCY: '2',
      },
    });
    const messages = await sampleMessages(tag, 12);
    const faulted = faulty(messages);
    for (const m of faulted) {
      stack.sim.faults.add({
        match: { operation: 'sendMail', key: m.key },
        action: { kind: 'status', status: 504, code: 'UnknownError', afterAccept: true },
      });
    }
    const fleet = startWorkerFleet({ env: lane.env, count: 3, cwd: stack.dir });
    try {
      for (const m of messages) await lane.enqueue(m.text, COPIES);
      await fleet.waitFor(allSettled(messages), 60_000, 'every message to settle');
      // Then every copy, deferred ones included, must have been consumed: none is left to send later.
      await lane.whenQueueEmpty(60_000);
    } finally {
      // Stopping lets in-flight work finish; afterwards nothing can still be sending.
      await fleet.stopAll();
    }
    const evidence = await gatherEvidence(lane, stack.sim, messages);
    return { lane, messages, faulted, fleet, evidence };
  }

  it.concurrent(
    'sends each key once, records one terminal state, acks the other copies as duplicates',
    async ({ expect }) => {
      const { lane, messages, fleet, evidence } = await runScenario('three', () => []);

      // Guarantee 1 across processes. Catches two copies both winning the `sending` mark (a write
      // that ignored the ETag, a read-then-insert race) and a copy that sends past a recorded `sent`.
      expect(duplicates(evidence)).toEqual([]);
      expect(evidence.map((e) => [e.key, e.accepted])).toEqual(messages.map((m) => [m.key, 1]));
      // Guarantee 2. Catches a send without its mark, and a copy acked before the outcome was recorded.
      expect(unmarkedSends(evidence)).toEqual([]);
      expect(statesByKey(evidence)).toEqual(Object.fromEntries(messages.map((m) => [m.key, 'sent'])));
      // The other copies were acknowledged without a send: as duplicates, some after a deferral
      // because they met the send in flight (never a second `sent`, never a failure).
      for (const m of messages) expectOneSettlingRestDuplicates(expect, fleet.reports(), m.key, 'sent');
      // The copies really were spread across processes (else this proves nothing about scale-out).
      expect(new Set(fleet.reports().map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
      // Nothing healthy was poisoned or held.
      expect(await lane.poisonTexts()).toEqual([]);
      expect(await lane.heldTexts()).toEqual([]);
      await expectCliTraceAgrees(expect, lane, messages.slice(0, 4), 'sent');
    },
    180_000,
  );

  it.concurrent(
    'ends keys Graph accepted and then answered 504 as `unknown`: sent once, never retried',
    async ({ expect }) => {
      const { lane, messages, faulted, fleet, evidence } = await runScenario('threefault', (ms) =>
        ms.filter((_, i) => i % 4 === 1),
      );
      const isFaulted = new Set(faulted.map((m) => m.key));
      expect(faulted.length).toBeGreaterThan(0);

      // Guarantee 3. Catches a retry of an ambiguous answer by any copy in any process (with
      // HR_COURIER_ON_UNKNOWN=resend these keys go out again and this fails), and a 504 counted as sent.
      expect(duplicates(evidence)).toEqual([]);
      expect(evidence.map((e) => [e.key, e.accepted])).toEqual(messages.map((m) => [m.key, 1]));
      expect(unmarkedSends(evidence)).toEqual([]);
      expect(statesByKey(evidence)).toEqual(
        Object.fromEntries(messages.map((m) => [m.key, isFaulted.has(m.key) ? 'unknown' : 'sent'])),
      );
      for (const m of messages) {
        const settledAs = isFaulted.has(m.key) ? 'unknown' : 'sent';
        expectOneSettlingRestDuplicates(expect, fleet.reports(), m.key, settledAs);
      }
      // Held for an operator: exactly one copy of each unknown in `<queue>-held`, none poisoned.
      expect((await lane.heldTexts()).length).toBe(faulted.length);
      expect(await lane.poisonTexts()).toEqual([]);
      await expectCliTraceAgrees(expect, lane, faulted.slice(0, 2), 'unknown');
    },
    180_000,
  );
});

/**
 * One copy settled the key; every other copy was acknowledged as a duplicate, some after a deferral
 * because they met the send in flight. (More duplicates than copies can appear: a deferral whose
 * ledger write lost an ETag race has already re-enqueued its copy, which later acks as a duplicate.)
 */
function expectOneSettlingRestDuplicates(
  expect: ExpectStatic,
  reports: readonly FleetReport[],
  key: string,
  settledAs: 'sent' | 'unknown',
): void {
  const outcomes = reportsFor(reports, key).map((r) => r.outcome);
  expect(
    outcomes.filter((o) => o === settledAs),
    key,
  ).toHaveLength(1);
  expect(
    outcomes.filter((o) => o !== settledAs && o !== 'duplicate' && o !== 'deferred'),
    key,
  ).toEqual([]);
  expect(outcomes.filter((o) => o === 'duplicate').length, key).toBeGreaterThanOrEqual(COPIES - 1);
}

/** What a user sees with `hr-courier trace <businessId> --json`: one state row, terminal, as expected. */
async function expectCliTraceAgrees(
  expect: ExpectStatic,
  lane: { traceCli(businessId: string): Promise<{ records: { key: string; state: string }[] } | undefined> },
  messages: readonly GuaranteeMessage[],
  state: string,
): Promise<void> {
  const stories = await Promise.all(messages.map((m) => lane.traceCli(m.businessId)));
  stories.forEach((story, i) => {
    const m = messages[i];
    expect(story?.records.map((r) => [r.key, r.state])).toEqual([[m?.key, state]]);
    expect(TERMINAL_STATES).toContain(story?.records[0]?.state);
  });
}
