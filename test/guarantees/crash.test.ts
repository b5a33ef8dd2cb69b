import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../src/core/delivery/types.js';
import type { MailState } from '../../src/ports/ledger.js';
import { startGuaranteeStack, type GuaranteeStack, type Lane } from '../support/guarantee-stack.js';
import { runCli } from '../support/run-cli.js';
import { startWorkerFleet } from '../support/worker-fleet.js';
import { gatherEvidence, type KeyEvidence } from './support/evidence.js';
import { sampleMessages, type GuaranteeMessage } from './support/messages.js';
import { reportsFor } from './support/reports.js';
import { eventsOf, readEvents } from './support/telemetry.js';
import { within } from './support/within.js';

// A worker killed by SIGKILL at each point of a send (dev-mode crash hooks, HR_COURIER_CRASH_AT), then
// started again without the hook. Catches: a crash that leads to a second send (a redelivery that
// trusts a stale `sending` mark, or re-sends after a 202 it never recorded); a crash that loses the
// message (acked too early, a mark nobody ever settles); an unknown outcome that is guessed instead of
// held or looked up; and `resolve` that does not record the operator's decision or sends more than once.

/** Lease of a `sending` mark: 5 s POST timeout + 60 s skew margin / 60 = 6 s. */
const TIMING = {
  HR_COURIER_SEND_TIMEOUT_SEC: '5',
  HR_COURIER_TIME_SCALE: '60',
  // With the time scale: look up after 1 s, give up looking after 1 s (1 minute / 60).
  HR_COURIER_VERIFY_GRACE_MINUTES: '1',
};
/** `during-send` kills this long after the POST started; the simulator answers 4 s after accepting. */
const CRASH_DELAY_MS = 2_000;
const ANSWER_DELAY_MS = 4_000;
/** The worker's queue lease (`--lease-sec`): how soon a dead worker's message is delivered again. */
const QUEUE_LEASE_SEC = 4;

interface CrashCase {
  point: CrashPoint;
  policy: 'hold' | 'verify';
  /** What the ledger holds and how many sends the simulator accepted when the process died. */
  atCrash: { state: MailState; accepted: number };
  /** How the story ends after the restart: sent, held for an operator, or acked as a duplicate. */
  ends: 'sent' | 'held' | 'duplicate';
  /** Sends the simulator accepted in all. */
  accepted: number;
}

const CASES: CrashCase[] = [
  // Nothing was marked, nothing sent: simply done again.
  {
    point: 'before-mark',
    policy: 'hold',
    atCrash: { state: 'received', accepted: 0 },
    ends: 'sent',
    accepted: 1,
  },
  // Marked, never sent: under `hold` that still reads as unknown (the price of hold; the ledger says so).
  {
    point: 'after-mark',
    policy: 'hold',
    atCrash: { state: 'sending', accepted: 0 },
    ends: 'held',
    accepted: 0,
  },
  {
    point: 'during-send',
    policy: 'hold',
    atCrash: { state: 'sending', accepted: 1 },
    ends: 'held',
    accepted: 1,
  },
  {
    point: 'after-send',
    policy: 'hold',
    atCrash: { state: 'sending', accepted: 1 },
    ends: 'held',
    accepted: 1,
  },
  {
    point: 'after-record',
    policy: 'hold',
    atCrash: { state: 'sent', accepted: 1 },
    ends: 'duplicate',
    accepted: 1,
  },
  // `verify` looks the key up in the sender's mailbox: found → sent; never found → held after the grace.
  {
    point: 'after-mark',
    policy: 'verify',
    atCrash: { state: 'sending', accepted: 0 },
    ends: 'held',
    accepted: 0,
  },
  {
    point: 'during-send',
    policy: 'verify',
    atCrash: { state: 'sending', accepted: 1 },
    ends: 'sent',
    accepted: 1,
  },
  {
    point: 'after-send',
    policy: 'verify',
    atCrash: { state: 'sending', accepted: 1 },
    ends: 'sent',
    accepted: 1,
  },
];

const nameOf = (c: Pick<CrashCase, 'point' | 'policy'>) => `${c.point} (${c.policy})`;

interface CrashRun {
  lane: Lane;
  message: GuaranteeMessage;
  atCrash: KeyEvidence;
  final: KeyEvidence;
}

describe('a worker killed at each point of a send, then restarted', () => {
  let stack: GuaranteeStack | undefined;
  let hostJson: string;
  /** Finished runs by case name, for the `resolve` and `trace` tests that follow them. */
  const runs = new Map<string, CrashRun>();

  beforeAll(async () => {
    // No concurrency 429s from the simulator: the lanes run at once and must not disturb each other.
    stack = await startGuaranteeStack({ simulator: { maxConcurrentPerApp: 0, maxConcurrentPerMailbox: 0 } });
    // Poll at least every second, so a deferred copy is picked up soon after it becomes visible.
    hostJson = await stack.hostJson({ maxPollingInterval: '00:00:01' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  for (const c of CASES) {
    it.concurrent(nameOf(c), { timeout: 90_000 }, async ({ expect }) => {
      if (!stack) throw new Error('no stack');
      const tag = `${c.point.replace('-', '')}${c.policy}`;
      const lane = await stack.newLane(tag, { env: { ...TIMING, HR_COURIER_ON_UNKNOWN: c.policy } });
      const [message] = await sampleMessages(tag, 1);
      if (!message) throw new Error('no message');
      if (c.point === 'during-send') {
        // Graph accepts the mail at once and answers slowly: the process dies with the POST in flight.
        stack.sim.faults.add({
          match: { operation: 'sendMail', key: message.key },
          times: 1,
          action: { kind: 'delay', ms: ANSWER_DELAY_MS, afterAccept: true },
        });
      }
      const fleet = startWorkerFleet({
        env: {
          ...lane.env,
          HR_COURIER_CRASH_AT: c.point,
          HR_COURIER_CRASH_DELAY_MS: String(CRASH_DELAY_MS),
        },
        count: 1,
        cwd: stack.dir,
        // A message the dead worker held comes back when its queue lease lapses: 4 s instead of 60.
        args: ['--host-json', hostJson, '--lease-sec', String(QUEUE_LEASE_SEC)],
      });
      try {
        await lane.enqueue(message.text);
        const exit = await within(fleet.exited(0), 30_000, 'the crash');
        // The hook fired where asked: a SIGKILL, and no delivery reported before it.
        expect(exit.signal, fleet.stderr(0)).toBe('SIGKILL');
        expect(fleet.reports()).toEqual([]);

        const [atCrash] = await gatherEvidence(lane, stack.sim, [message]);
        if (!atCrash) throw new Error('no evidence');
        expect(atCrash.state, 'ledger state left by the crash').toBe(c.atCrash.state);
        expect(atCrash.accepted, 'sends accepted before the crash').toBe(c.atCrash.accepted);
        if (c.atCrash.state === 'sending') expect(atCrash.record?.lease).toBeDefined();

        await fleet.restart(0, { HR_COURIER_CRASH_AT: '' });
        await lane.whenQueueEmpty(60_000);
        await fleet.stopAll();

        const [final] = await gatherEvidence(lane, stack.sim, [message]);
        if (!final) throw new Error('no evidence');
        const outcomes = reportsFor(fleet.reports(), message.key).map((r) => r.outcome);
        // Guarantee 1: never sent twice, whatever the crash point and policy.
        expect(final.accepted, 'sends accepted in all').toBe(c.accepted);
        expect(outcomes.filter((o) => o === 'sent').length).toBeLessThanOrEqual(1);
        // Guarantee 2: nothing lost — one terminal state, and a held key's original bytes are in <queue>-held.
        expect(await lane.poisonTexts()).toEqual([]);
        const held = await lane.heldTexts();
        switch (c.ends) {
          case 'sent':
            expect(final.state).toBe('sent');
            expect(outcomes.at(-1)).toBe('sent');
            expect(held).toEqual([]);
            break;
          case 'duplicate':
            // The redelivery found the recorded send and was acked without calling Graph.
            expect(final.state).toBe('sent');
            expect(outcomes).toEqual(['duplicate']);
            expect(held).toEqual([]);
            break;
          case 'held':
            // Guarantee 3: not retried blindly; held, with the original bytes waiting for an operator.
            expect(final.state).toBe('unknown');
            expect(final.record?.heldAt).toBeDefined();
            expect(final.record?.reason?.code).toBe('UnknownOutcome');
            expect(outcomes.at(-1)).toBe('unknown');
            expect(held).toEqual([message.text]);
            break;
        }
        const attempts = final.record?.attemptRows ?? [];
        if (c.policy === 'hold' && c.ends === 'held') {
          // The ledger names the attempt whose answer never came.
          const leaseId = atCrash.record?.lease?.attemptId;
          expect(final.record?.reason?.attemptIds).toContain(leaseId);
        }
        if (c.policy === 'verify') {
          // Settled by looking in the sender's mailbox, never by sending again.
          const lookups = attempts.map((a) => a.outcome).filter((o) => o === 'found' || o === 'not-found');
          expect(lookups.length).toBeGreaterThanOrEqual(1);
          expect(lookups.at(-1)).toBe(c.ends === 'sent' ? 'found' : 'not-found');
          expect(final.record?.verifications).toBe(lookups.length);
        }
        if (c.ends === 'sent' && c.point !== 'before-mark') {
          const events = await readEvents(lane.telemetryFile);
          expect(eventsOf(events, message.key, 'Mail.Sent').at(-1)?.properties.verified).toBe(true);
        }
        runs.set(nameOf(c), { lane, message, atCrash, final });
      } finally {
        await fleet.stopAll();
      }
    });
  }

  it('resolve --sent settles a held key as sent, records who and why, and sends nothing', async () => {
    const run = runs.get(nameOf({ point: 'during-send', policy: 'hold' }));
    if (!stack || !run) throw new Error('the during-send (hold) case did not finish');
    const { lane, message } = run;
    const resolved = await resolve(
      stack.dir,
      lane,
      message.key,
      'sent',
      'found in the Sent Items of the sender',
    );
    expect(resolved.code, resolved.stderr).toBe(0);

    const [after] = await gatherEvidence(lane, stack.sim, [message]);
    expect(after?.state).toBe('sent');
    expect(after?.record?.resolution).toMatchObject({
      decision: 'sent',
      reason: 'found in the Sent Items of the sender',
      by: 'oncall.operator',
    });
    // The held original is gone, and the mail still went out exactly once.
    expect(await lane.heldTexts()).toEqual([]);
    expect(after?.accepted).toBe(1);
    const story = await lane.traceCli(message.businessId);
    expect(story?.records.find((r) => r.key === message.key)?.resolution?.decision).toBe('sent');
    const resolvedEvents = eventsOf(await readEvents(lane.telemetryFile), message.key, 'Mail.Resolved');
    expect(resolvedEvents.map((e) => e.properties.decision)).toEqual(['sent']);
    // Settled: a second resolution is refused.
    expect((await resolve(stack.dir, lane, message.key, 'resend', 'second thoughts')).code).toBe(1);
  });

  it('resolve --resend sends a held key exactly once more, with the decision in the ledger and trace', async () => {
    if (!stack) throw new Error('no stack');
    const run = runs.get(nameOf({ point: 'after-mark', policy: 'hold' }));
    if (!run) throw new Error('the after-mark (hold) case did not finish');
    const { lane, message } = run;
    const before = stack.sim.stats().sendsByKey[message.key] ?? 0;
    const resolved = await resolve(stack.dir, lane, message.key, 'resend', 'not in the mailbox: never sent');
    expect(resolved.code, resolved.stderr).toBe(0);
    // Back on the main queue, out of the held one.
    expect(await lane.heldTexts()).toEqual([]);
    expect(await lane.queueLength()).toBe(1);

    const fleet = startWorkerFleet({
      env: lane.env,
      count: 1,
      cwd: stack.dir,
      args: ['--host-json', hostJson],
    });
    try {
      await fleet.waitFor((r) => reportsFor(r, message.key).some((x) => x.outcome === 'sent'), 30_000);
      await lane.whenQueueEmpty(30_000);
    } finally {
      await fleet.stopAll();
    }
    const [after] = await gatherEvidence(lane, stack.sim, [message]);
    expect(after?.accepted).toBe(before + 1);
    expect(after?.state).toBe('sent');
    const story = await lane.traceCli(message.businessId);
    const record = story?.records.find((r) => r.key === message.key);
    expect(record?.state).toBe('sent');
    expect(record?.resolution).toMatchObject({
      decision: 'resend',
      reason: 'not in the mailbox: never sent',
      by: 'oncall.operator',
    });
    // Once sent, it cannot be resent by resolve: no second send through the back door.
    expect((await resolve(stack.dir, lane, message.key, 'resend', 'again')).code).toBe(1);
    expect(stack.sim.stats().sendsByKey[message.key]).toBe(before + 1);
  });

  it('trace --key finds a key whose worker died between the ledger write and the ack', async () => {
    const run = runs.get(nameOf({ point: 'after-record', policy: 'hold' }));
    if (!stack || !run) throw new Error('the after-record (hold) case did not finish');
    const { lane, message } = run;
    // "Did the offer go?" asked by key must be answered: the send was recorded before the crash.
    const traced = await runCli(['trace', '--key', message.key, '--json'], {
      env: { ...process.env, ...lane.env },
      cwd: stack.dir,
      timeoutMs: 30_000,
    });
    expect(traced.code, `trace --key exited ${traced.code ?? traced.signal}: ${traced.stdout}`).toBe(0);
    const story = JSON.parse(traced.stdout) as { records: { key: string; state: string }[] };
    expect(story.records.map((r) => [r.key, r.state])).toEqual([[message.key, 'sent']]);
  });
});

/** `hr-courier resolve` as an operator runs it. */
function resolve(cwd: string, lane: Lane, key: string, decision: 'sent' | 'resend', reason: string) {
  return runCli(['resolve', key, `--${decision}`, '--reason', reason, '--by', 'oncall.operator', '--json'], {
    env: { ...process.env, ...lane.env },
    cwd,
    timeoutMs: 30_000,
  });
}
