import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTableClient } from '../../src/adapters/storage/clients.js';
import { GATE_PARTITION } from '../../src/adapters/tables/table-gate-store.js';
import { SAMPLE_SENDERS } from '../../src/cli/samples.js';
import { gateRowIds } from '../../src/core/flow/shared-flow-gate.js';
import { startGuaranteeStack, type GuaranteeStack, type Lane } from '../support/guarantee-stack.js';
import { startWorkerFleet, type FleetReport, type WorkerFleet } from '../support/worker-fleet.js';
import { duplicates, gatherEvidence, statesByKey } from './support/evidence.js';
import { backlog, type GuaranteeMessage } from './support/messages.js';
import { readEvents } from './support/telemetry.js';
import { within } from './support/within.js';

// Flow control across instances ("flow control across instances"): three worker processes share one
// queue and one set of limits, and the simulator — its own limits off, so that it only measures —
// counts what they did to Graph. Catches: concurrency limits kept per process instead of across
// processes (3 workers × the limit), a 429 pause that other instances do not see or end early, and a
// slot held by a dead worker that is never freed (delivery stops) or freed before its lease ends.
// The per-mailbox rate and recipient budget are in flow-windows.test.ts.

/** Throttle storms in the pause test, and sends between two of them (waiting messages pile up again). */
const STORMS = 5;
const SENDS_BETWEEN = 3;

const boxes = (test: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${test}-${i + 1}@contoso.com`);
const MAILBOXES = {
  concurrency: boxes('concurrency', 3),
  storm: boxes('storm', 3),
  killed: boxes('killed', 3),
};

const sentKeys = (reports: readonly FleetReport[]) =>
  new Set(reports.filter((r) => r.outcome === 'sent').map((r) => r.key));
const allSent = (messages: readonly GuaranteeMessage[]) => (reports: readonly FleetReport[]) => {
  const sent = sentKeys(reports);
  return messages.every((m) => sent.has(m.key));
};

describe('flow limits across three worker processes', () => {
  let stack: GuaranteeStack | undefined;
  let hostJson: string;

  beforeAll(async () => {
    stack = await startGuaranteeStack({
      senders: [...SAMPLE_SENDERS, ...Object.values(MAILBOXES).flat()],
      simulator: {
        // Every send takes a while, so sends overlap and limits are really tested.
        latencyMs: 150,
        // The simulator only measures: no 429 of its own, whatever hr-courier does.
        maxConcurrentPerApp: 0,
        maxConcurrentPerMailbox: 0,
      },
    });
    hostJson = await stack.hostJson({ maxPollingInterval: '00:00:01' });
  });

  beforeEach(() => {
    // The simulator's counters are per process: each test starts from zero (they run one by one).
    stack?.sim.reset();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** Three workers on a lane; `run` drives them; they are stopped whatever happens. */
  async function withFleet<T>(lane: Lane, run: (fleet: WorkerFleet) => Promise<T>, count = 3): Promise<T> {
    if (!stack) throw new Error('no stack');
    const fleet = startWorkerFleet({ env: lane.env, count, cwd: stack.dir, args: ['--host-json', hostJson] });
    try {
      return await run(fleet);
    } finally {
      await fleet.stopAll();
    }
  }

  it('never has more sends in flight than HR_COURIER_APP_CONCURRENCY, nor per mailbox than HR_COURIER_MAILBOX_CONCURRENCY', async () => {
    if (!stack) throw new Error('no stack');
    const lane = await stack.newLane('concurrency', {
      env: { HR_COURIER_APP_CONCURRENCY: '3', HR_COURIER_MAILBOX_CONCURRENCY: '2' },
    });
    const messages = await backlog('concurrency', MAILBOXES.concurrency, 6);
    for (const m of messages) await lane.enqueue(m.text);
    await withFleet(lane, async (fleet) => {
      await fleet.waitFor(allSent(messages), 60_000, 'the backlog to be sent');
      // Spread over the processes, or this proves nothing about scale-out.
      expect(new Set(fleet.reports().map((r) => r.worker)).size).toBeGreaterThanOrEqual(2);
    });
    const stats = stack.sim.stats();
    // Each process alone would allow 3 (app) and 2 per mailbox: three of them, 9 and 6.
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    for (const box of MAILBOXES.concurrency) {
      expect(stats.maxInFlightByMailbox[box], box).toBeLessThanOrEqual(2);
    }
    // …and the limit was reached: sends did overlap.
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(2);
    const evidence = await gatherEvidence(lane, stack.sim, messages);
    expect(duplicates(evidence)).toEqual([]);
    expect(Object.values(statesByKey(evidence))).toEqual(messages.map(() => 'sent'));
  });

  it('keeps every 429 pause across all processes: no Graph call inside one, one Graph.Throttled each', async () => {
    if (!stack) throw new Error('no stack');
    // One Graph call at a time for the whole app: when a 429 arrives no other call is in flight, so
    // every later call is made after hr-courier had Graph's answer, and must keep its pause. Several
    // storms, because another process has to be waiting for the slot at just the wrong moment.
    // Time scale 10: deferrals behind a pause are spread over 1 s instead of 10 (Retry-After is Graph's).
    const lane = await stack.newLane('storm', {
      env: { HR_COURIER_APP_CONCURRENCY: '1', HR_COURIER_TIME_SCALE: '10' },
    });
    const messages = await backlog('storm', MAILBOXES.storm, Math.ceil(((STORMS + 1) * SENDS_BETWEEN) / 3));
    for (const m of messages) await lane.enqueue(m.text);
    await withFleet(lane, async (fleet) => {
      const throttledReports = (r: readonly FleetReport[]) => r.filter((x) => x.code === 'Throttled').length;
      for (let storm = 1; storm <= STORMS; storm++) {
        // Mail is flowing (again), and messages are waiting for the slot again.
        const sends = storm * SENDS_BETWEEN;
        await fleet.waitFor((r) => sentKeys(r).size >= sends, 30_000, `${sends} sends before storm ${storm}`);
        const met = throttledReports(fleet.reports());
        // App-wide 429s (not MailboxConcurrency: the whole app pauses) with Retry-After 1 s, for less
        // time than the pause: a client that keeps the pause meets each storm once.
        stack?.sim.faults.add({
          match: { operation: 'sendMail' },
          forMs: 800,
          action: {
            kind: 'status',
            status: 429,
            code: 'ApplicationThrottled',
            message: 'Application is over its IncomingBytes limit.',
            retryAfter: '1',
          },
        });
        await fleet.waitFor((r) => throttledReports(r) > met, 30_000, `storm ${storm} to be met`);
      }
      await fleet.waitFor(allSent(messages), 60_000, 'the backlog to be sent after the storms');
    });
    const stats = stack.sim.stats();
    expect(stats.throttled.app, 'the storms met the senders').toBeGreaterThanOrEqual(STORMS);
    // Every process kept each pause, whichever of them met the 429: no call inside one, and so no
    // second 429 in any storm.
    expect(stats.callsDuringPause).toEqual({ total: 0, byMailbox: {} });
    expect(stats.throttled.app, '429s: one per storm').toBe(STORMS);
    const events = await readEvents(lane.telemetryFile);
    const throttled = events.filter((e) => e.name === 'Graph.Throttled');
    expect(throttled.map((e) => e.properties.scope)).toEqual(Array.from({ length: STORMS }, () => 'app'));
    const evidence = await gatherEvidence(lane, stack.sim, messages);
    expect(duplicates(evidence)).toEqual([]);
    expect(Object.values(statesByKey(evidence))).toEqual(messages.map(() => 'sent'));
  });

  it('frees the slots of a worker killed while holding them once their lease ends; the others deliver everything', async () => {
    if (!stack) throw new Error('no stack');
    // One send at a time for the whole app: the dead worker's slot blocks everyone until its lease ends.
    // A slot's lease: the 2 s POST timeout + 10 s / 60.
    const lane = await stack.newLane('killed', {
      env: {
        HR_COURIER_APP_CONCURRENCY: '1',
        HR_COURIER_SEND_TIMEOUT_SEC: '2',
        HR_COURIER_TIME_SCALE: '60',
      },
    });
    const messages = await backlog('killed', MAILBOXES.killed, 3);
    for (const m of messages) await lane.enqueue(m.text);
    // The victim takes the first messages and dies holding the app's slot, before marking anything.
    // Its messages come back when its queue lease lapses (4 s instead of 60).
    const victim = startWorkerFleet({
      env: { ...lane.env, HR_COURIER_CRASH_AT: 'before-mark' },
      count: 1,
      cwd: stack.dir,
      args: ['--host-json', hostJson, '--lease-sec', '4'],
    });
    let heldUntil = 0;
    try {
      const exit = await within(victim.exited(0), 30_000, 'the crash');
      const killedAt = Date.now();
      expect(exit.signal, victim.stderr(0)).toBe('SIGKILL');
      const slot = await readGateRow(lane, gateRowIds.appSlot(0));
      heldUntil = slot?.until ?? 0;
      expect(heldUntil, 'the dead worker held the app slot when it died').toBeGreaterThan(killedAt);

      await withFleet(lane, (fleet) => fleet.waitFor(allSent(messages), 60_000, 'the others to deliver'), 2);
    } finally {
      await victim.stopAll();
    }
    const accepted = stack.sim.accepted();
    // Nobody sent while the dead worker's lease on the slot was still running…
    const early = accepted.filter((a) => Date.parse(a.acceptedAt) < heldUntil);
    expect(early).toEqual([]);
    // …one at a time, and everything went out exactly once.
    expect(stack.sim.stats().maxInFlight).toBe(1);
    const evidence = await gatherEvidence(lane, stack.sim, messages);
    expect(duplicates(evidence)).toEqual([]);
    expect(Object.values(statesByKey(evidence))).toEqual(messages.map(() => 'sent'));
  });
});

async function readGateRow(lane: Lane, id: string): Promise<{ until?: number; holder?: string } | undefined> {
  const client = createTableClient(
    { kind: 'connection-string', connectionString: lane.env.AzureWebJobsStorage ?? '' },
    lane.ledgerTable,
  );
  try {
    return await client.getEntity<{ until?: number; holder?: string }>(GATE_PARTITION, id);
  } catch {
    return undefined;
  }
}
