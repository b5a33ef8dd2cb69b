import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startGuaranteeStack, type GuaranteeStack } from '../support/guarantee-stack.js';
import type { ProxyMode } from '../support/tcp-proxy.js';
import { startWorkerFleet } from '../support/worker-fleet.js';
import { duplicates, gatherEvidence, sendsOutsideMarks, unmarkedSends } from './support/evidence.js';
import { sampleMessages } from './support/messages.js';
import { settledKeys } from './support/reports.js';

/** How long the ledger stays down: long enough for the in-invocation retries to meet it many times. */
const OUTAGE_MS = 10_000;
/** Bound on waiting for the worker to meet the outage (it normally does within a second). */
const MEET_WITHIN_MS = 30_000;

// The realistic outage: Table Storage (the ledger, and the flow gate's rows) unreachable while the
// queue keeps delivering. Two faces of it: connections reset at once, and connections that hang.
// Both run at the same time, each in its own lane (queue, ledger table, proxy, worker).
describe('a ledger outage while mail is flowing (tables down, queues up)', () => {
  let stack: GuaranteeStack | undefined;
  let hostJson: string;

  beforeAll(async () => {
    // Latency per send, so that some sends are in flight when the ledger goes down.
    stack = await startGuaranteeStack({ simulator: { latencyMs: 150 } });
    // An invocation that fails is retried after visibilityTimeout: the shortest the policy allows
    // keeps this test short. maxDequeueCount stays as shipped (10).
    hostJson = await stack.hostJson({ visibilityTimeout: '00:00:30' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.concurrent.for(['refuse', 'blackhole'] as const)(
    'tables %s: no send without its mark, nothing lost or poisoned, and the worker recovers by itself',
    { timeout: 180_000 },
    async (mode, { expect }) => {
      if (!stack) throw new Error('no stack');
      // The two lanes share one simulator (Graph's 4 requests at once per app): 2 each keeps them apart.
      const lane = await stack.newLane(mode, {
        tableProxy: true,
        env: { HR_COURIER_APP_CONCURRENCY: '2' },
      });
      const proxy = lane.tableProxy;
      if (!proxy) throw new Error('lane without a table proxy');
      const messages = await sampleMessages(mode, 14);
      const keys = new Set(messages.map((m) => m.key));
      const during = messages.slice(10);
      const fleet = startWorkerFleet({
        env: lane.env,
        count: 1,
        cwd: stack.dir,
        args: ['--host-json', hostJson],
      });
      try {
        for (const m of messages.slice(0, 10)) await lane.enqueue(m.text);
        await fleet.waitFor((r) => settledKeys(r).size >= 3, 30_000, 'the first sends');
        const pid = fleet.pid(0);

        proxy.setMode(mode);
        const outageStarted = Date.now();
        // Producers keep writing to the queue, which is up: these arrive while the ledger is down.
        for (const m of during) await lane.enqueue(m.text);
        const met = proxy.accepted()[mode];
        // The outage lasts a set time (the scenario), and at least until the worker has met it.
        const metThrice = proxy.whenAccepted(totalAccepted(proxy.accepted()) + 3);
        await Promise.all([sleep(OUTAGE_MS), Promise.race([metThrice, sleep(MEET_WITHIN_MS)])]);
        expect(proxy.accepted()[mode] - met).toBeGreaterThanOrEqual(3);

        // Still down, so the marks in the ledger are exactly those written before it went down.
        // Catches a Graph call made although its `sending` mark could not be written.
        const atEnd = await gatherEvidence(lane, stack.sim, messages);
        const marked = new Set(atEnd.filter((e) => e.state === 'sending').map((e) => e.key));
        expect(sendsOutsideMarks(stack.sim, outageStarted, marked, keys)).toEqual([]);
        const settledInOutage = settledKeys(fleet.reports()).size;

        proxy.setMode('pass');
        await fleet.waitFor((r) => settledKeys(r).size === keys.size, 120_000, 'every message to settle');

        const evidence = await gatherEvidence(lane, stack.sim, messages);
        // Guarantee 1: a retried ledger write never turns into a second POST.
        expect(duplicates(evidence)).toEqual([]);
        // Guarantee 2: every send the simulator accepted has its attempt row or its `sending` mark.
        expect(unmarkedSends(evidence)).toEqual([]);
        // Guarantee 2, nothing lost: sent, or unknown only where the outage cut a send from its
        // record (then it went out at most once, and the ledger says so).
        for (const e of evidence) {
          expect(['sent', 'unknown'], `${e.key} ended ${e.state ?? 'missing'}`).toContain(e.state);
          if (e.state === 'sent') expect(e.accepted, `${e.key} recorded sent`).toBe(1);
          if (e.state === 'unknown') expect(marked, `${e.key} unknown without a mark`).toContain(e.key);
        }
        // A storage outage does not poison healthy mail.
        expect(await lane.poisonTexts()).toEqual([]);
        // Recovered by itself: the same process settled what the outage held up, queued ones included.
        expect(fleet.running(0)).toBe(true);
        expect(fleet.pid(0)).toBe(pid);
        expect(settledKeys(fleet.reports()).size).toBeGreaterThan(settledInOutage);
      } finally {
        await fleet.stopAll();
      }
    },
  );
});

function totalAccepted(accepted: Record<ProxyMode, number>): number {
  return accepted.pass + accepted.refuse + accepted.blackhole;
}
