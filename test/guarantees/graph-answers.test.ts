import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SENDERS } from '../../src/cli/samples.js';
import type { SimulatorStats } from '../../src/sim/index.js';
import { startGuaranteeStack, type GuaranteeStack } from '../support/guarantee-stack.js';
import { startWorkerFleet, type FleetReport } from '../support/worker-fleet.js';
import { gatherEvidence, type KeyEvidence } from './support/evidence.js';
import { FENCED, mailbox, ROWS, senderOf } from './support/graph-answer-rows.js';
import { countGraphCalls } from './support/graph-calls.js';
import { fromSender, sampleMessages, type GuaranteeMessage } from './support/messages.js';
import { reportsFor } from './support/reports.js';
import { eventsOf, readEvents, type TelemetryEvent } from './support/telemetry.js';

// Every row of the README's "What happens to each Graph answer", one message per row, through a real
// worker process against the simulator's faults. Catches: a 202 retried (Retry-After read as
// "throttled"); a permanent answer retried, or failed without its original bytes in poison; a 401
// replayed with the same token or failing the message instead of deferring it; a fenced (403) mailbox
// that keeps being called; a 429 whose pause is not kept; a 503 not retried in process; a 5xx or reset
// after acceptance retried (a duplicate) or counted as sent.

interface RowsRun {
  messages: Map<string, GuaranteeMessage>;
  /** The second message of the fenced mailbox, and of the throttled one. */
  fencedNext: GuaranteeMessage;
  throttledNext: GuaranteeMessage;
  calls: Map<string, () => number>;
  /** 403s the simulator had sent when the first fenced message failed, and when the next one was held. */
  fenceRefusals: { first: number; whenHeld: number };
  /** Graph calls for the throttled mailbox's next message when it was first handled. */
  throttledNextCallsWhenHeld: number;
  /**
   * Calls Graph refused before the simulator's fault step (the fence's 403, the unknown mailbox's
   * 404), by row: counted by status, which only those rows produce.
   */
  refusedUpFront: Map<string, number>;
  evidence: Map<string, KeyEvidence>;
  reports: readonly FleetReport[];
  events: TelemetryEvent[];
  poison: string[];
  held: string[];
  stats: SimulatorStats;
}

interface AuthRun {
  first: GuaranteeMessage;
  next: GuaranteeMessage;
  calls: Map<string, () => number>;
  nextCallsWhenHeld: number;
  evidence: Map<string, KeyEvidence>;
  reports: readonly FleetReport[];
  events: TelemetryEvent[];
  poison: string[];
}

describe('what happens to each Graph answer, end to end', () => {
  let stack: GuaranteeStack | undefined;
  let rows: RowsRun;
  let auth: AuthRun;

  beforeAll(async () => {
    const own = [...ROWS.filter((r) => !r.sender).map((r) => mailbox(r.id)), mailbox('401')];
    stack = await startGuaranteeStack({
      senders: [...SAMPLE_SENDERS, ...own, FENCED],
      simulator: {
        allowedSenders: [...SAMPLE_SENDERS, ...own],
        // Only the faults answer differently: no concurrency 429s between the two lanes.
        maxConcurrentPerApp: 0,
        maxConcurrentPerMailbox: 0,
      },
    });
    const hostJson = await stack.hostJson({ maxPollingInterval: '00:00:01' });
    [rows, auth] = await Promise.all([driveRows(stack, hostJson), driveAuth(stack, hostJson)]);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  for (const row of ROWS) {
    it(row.title, () => {
      const m = rows.messages.get(row.id);
      const e = m && rows.evidence.get(m.key);
      if (!m || !e) throw new Error(`no evidence for row ${row.id}`);
      // The ledger: state, reason and one attempt row per Graph call, with Graph's status.
      expect(e.state).toBe(row.state);
      if (row.code) expect(e.record?.reason?.code).toBe(row.code);
      if (row.status) expect(e.record?.reason?.status).toBe(row.status);
      if (row.graphCode) expect(e.record?.reason?.graphCode).toBe(row.graphCode);
      expect(e.record?.attemptRows.map((a) => a.outcome)).toEqual(row.attempts);
      // The simulator: how often Graph was called for this key, and how many mails went out.
      const calls = rows.refusedUpFront.get(row.id) ?? rows.calls.get(m.key)?.();
      expect(calls, 'Graph calls').toBe(row.calls);
      expect(e.accepted).toBe(row.accepted);
      // Poison holds the original bytes of a permanent failure, and nothing else of this row.
      const copies = (texts: string[]) => texts.filter((t) => t === m.text).length;
      expect(copies(rows.poison)).toBe(row.state === 'failed' ? 1 : 0);
      // An unknown outcome is held for an operator, never retried.
      expect(copies(rows.held)).toBe(row.state === 'unknown' ? 1 : 0);
      // The worker's last word on the key, and the telemetry event on-call sees.
      expect(reportsFor(rows.reports, m.key).at(-1)?.outcome).toBe(row.state);
      const events = eventsOf(rows.events, m.key, row.event);
      expect(events.length, `${row.event} events`).toBeGreaterThanOrEqual(1);
      if (row.code) expect(events[0]?.properties.code).toBe(row.code);
      if (row.state !== 'sent') expect(eventsOf(rows.events, m.key, 'Mail.Sent')).toEqual([]);
    });
  }

  it('202 with Retry-After: no deferral and no pause were recorded', () => {
    const m = rows.messages.get('202ra');
    const e = m && rows.evidence.get(m.key);
    if (!m || !e) throw new Error('no evidence');
    expect(e.record?.deferrals).toBe(0);
    expect(e.record?.attemptRows[0]?.retryAfter).toBe('120');
    expect(eventsOf(rows.events, m.key, 'Graph.Throttled')).toEqual([]);
    expect(eventsOf(rows.events, m.key, 'Mail.Deferred')).toEqual([]);
  });

  it('403 trips the mailbox breaker: its next message is held without a Graph call, then probed', () => {
    const e = rows.evidence.get(rows.fencedNext.key);
    const reports = reportsFor(rows.reports, rows.fencedNext.key);
    // Held (deferred, not failed) while the breaker was open, and Graph was not called for it.
    expect(reports[0]).toMatchObject({ outcome: 'deferred', code: 'MailboxBlocked' });
    expect(rows.fenceRefusals.first).toBe(1);
    expect(rows.fenceRefusals.whenHeld).toBe(1);
    // Let through as the breaker's probe, refused again, poisoned with its reason.
    expect(e?.state).toBe('failed');
    expect(e?.record?.reason?.code).toBe('PolicyDenied');
    expect(rows.poison.filter((t) => t === rows.fencedNext.text)).toHaveLength(1);
    expect(rows.stats.rejectedByStatus['403']).toBe(2);
    // On-call is alerted once per mailbox, not once per message.
    const alerts = rows.events.filter((x) => x.name === 'Mailbox.Blocked');
    expect(alerts.map((x) => x.properties.key)).toEqual([rows.messages.get('403')?.key]);
    expect(alerts[0]?.properties.sender).toBe(FENCED);
  });

  it('429 pauses the mailbox: nothing calls Graph during the pause, one Graph.Throttled, both sent', () => {
    const m = rows.messages.get('429');
    if (!m) throw new Error('no message');
    const next = rows.throttledNext;
    // The message that met the 429 was deferred for the Retry-After…
    expect(reportsFor(rows.reports, m.key)[0]).toMatchObject({ outcome: 'deferred', code: 'Throttled' });
    expect(rows.evidence.get(m.key)?.record?.attemptRows[0]?.retryAfter).toBe('4');
    // …and the next one from that mailbox waited out the pause without a call.
    expect(reportsFor(rows.reports, next.key)[0]).toMatchObject({ outcome: 'deferred', code: 'Paused' });
    expect(rows.throttledNextCallsWhenHeld).toBe(0);
    expect(rows.stats.callsDuringPause.byMailbox[mailbox('429')] ?? 0).toBe(0);
    expect(rows.evidence.get(next.key)?.state).toBe('sent');
    expect(rows.evidence.get(next.key)?.accepted).toBe(1);
    expect(rows.calls.get(next.key)?.()).toBe(1);
    const throttled = rows.events.filter((x) => x.name === 'Graph.Throttled');
    expect(throttled.map((x) => [x.properties.key, x.properties.scope])).toEqual([[m.key, 'mailbox']]);
  });

  it('401 with the same token: AcquireTokenFailed, deferred; the auth breaker holds other mail; both sent after', () => {
    const { first, next } = auth;
    const firstReports = reportsFor(auth.reports, first.key);
    expect(firstReports[0]).toMatchObject({ outcome: 'deferred', code: 'AcquireTokenFailed' });
    const rowsOf = (k: string) => auth.evidence.get(k)?.record?.attemptRows ?? [];
    expect(rowsOf(first.key).map((a) => [a.status, a.outcome, a.code])).toEqual([
      [401, 'auth', 'AcquireTokenFailed'],
      [202, 'sent', undefined],
    ]);
    // No replay with the same token: one 401, then (after the deferral) the send that went through.
    expect(auth.calls.get(first.key)?.()).toBe(2);
    // The second message was held by the auth breaker without calling Graph.
    expect(reportsFor(auth.reports, next.key)[0]).toMatchObject({ outcome: 'deferred', code: 'AuthBlocked' });
    expect(auth.nextCallsWhenHeld).toBe(0);
    expect(auth.calls.get(next.key)?.()).toBe(1);
    for (const k of [first.key, next.key]) {
      expect(auth.evidence.get(k)?.state).toBe('sent');
      expect(auth.evidence.get(k)?.accepted).toBe(1);
    }
    expect(auth.poison).toEqual([]);
    // Alerted once; the deferral carries the code; recovery is reported.
    expect(auth.events.filter((x) => x.name === 'Auth.Failed')).toHaveLength(1);
    expect(eventsOf(auth.events, first.key, 'Mail.Deferred')[0]?.properties.code).toBe('AcquireTokenFailed');
    expect(auth.events.filter((x) => x.name === 'Breaker.Recovered')).toHaveLength(1);
  });
});

/** Every row but 401 in one lane and one worker: each row has its own mailbox, so nothing mixes. */
async function driveRows(stack: GuaranteeStack, hostJson: string): Promise<RowsRun> {
  const samples = await sampleMessages('answers', ROWS.length + 2);
  const messages = new Map<string, GuaranteeMessage>();
  ROWS.forEach((row, i) => {
    const m = samples[i];
    if (m) messages.set(row.id, fromSender(m, senderOf(row)));
  });
  const extra = samples.slice(ROWS.length);
  if (!extra[0] || !extra[1]) throw new Error('no messages');
  const fencedNext = fromSender(extra[0], FENCED);
  const throttledNext = fromSender(extra[1], mailbox('429'));
  const all = [...messages.values(), fencedNext, throttledNext];
  // Counters first: a fault rule added before them would hide the requests it answers.
  const calls = new Map(all.map((m) => [m.key, countGraphCalls(stack.sim, m.key)]));
  for (const row of ROWS) {
    const m = messages.get(row.id);
    if (row.fault && m) {
      stack.sim.faults.add({
        match: { operation: 'sendMail', key: m.key },
        action: row.fault.action,
        ...(row.fault.times ? { times: row.fault.times } : {}),
      });
    }
  }
  const lane = await stack.newLane('answers', {
    env: {
      HR_COURIER_TIME_SCALE: '60',
      HR_COURIER_ALLOWED_SENDERS: [...SAMPLE_SENDERS, ...ROWS.map(senderOf), FENCED].join(','),
    },
  });
  const refusals = (status: number) => stack.sim.stats().rejectedByStatus[String(status)] ?? 0;
  for (const m of messages.values()) await lane.enqueue(m.text);
  const fenceRefusals = { first: 0, whenHeld: 0 };
  let throttledNextCallsWhenHeld = -1;
  const fleet = startWorkerFleet({
    env: lane.env,
    count: 1,
    cwd: stack.dir,
    args: ['--host-json', hostJson],
  });
  try {
    const first = <T>(key: string, what: string, value: () => T) =>
      fleet.waitFor((r) => reportsFor(r, key).length > 0, 30_000, what).then(value);
    const fencedFirst = messages.get('403');
    const throttledFirst = messages.get('429');
    if (!fencedFirst || !throttledFirst) throw new Error('no messages');
    await Promise.all([
      (async () => {
        fenceRefusals.first = await first(fencedFirst.key, 'the 403', () => refusals(403));
        await lane.enqueue(fencedNext.text);
        fenceRefusals.whenHeld = await first(fencedNext.key, 'the fenced mailbox’s next message', () =>
          refusals(403),
        );
      })(),
      (async () => {
        await first(throttledFirst.key, 'the 429', () => undefined);
        await lane.enqueue(throttledNext.text);
        throttledNextCallsWhenHeld = await first(
          throttledNext.key,
          'the throttled mailbox’s next message',
          () => calls.get(throttledNext.key)?.() ?? -1,
        );
      })(),
    ]);
    const ends = new Map<string, string>([
      ...ROWS.flatMap((row) => {
        const m = messages.get(row.id);
        return m ? [[m.key, row.state] as const] : [];
      }),
      [fencedNext.key, 'failed'],
      [throttledNext.key, 'sent'],
    ]);
    await fleet.waitFor(
      (r) => [...ends].every(([key, outcome]) => reportsFor(r, key).some((x) => x.outcome === outcome)),
      60_000,
      'every row to end',
    );
    await lane.whenQueueEmpty(30_000);
  } finally {
    await fleet.stopAll();
  }
  const evidence = await gatherEvidence(lane, stack.sim, all);
  return {
    messages,
    fencedNext,
    throttledNext,
    calls,
    fenceRefusals,
    throttledNextCallsWhenHeld,
    evidence: new Map(evidence.map((e) => [e.key, e])),
    reports: fleet.reports(),
    events: await readEvents(lane.telemetryFile),
    poison: await lane.poisonTexts(),
    held: await lane.heldTexts(),
    stats: stack.sim.stats(),
    refusedUpFront: new Map([
      ['403', fenceRefusals.first],
      ['404', refusals(404)],
    ]),
  };
}

/**
 * 401 in a lane (and a process) of its own: the auth breaker holds all of a process's work. Graph
 * answers 401 for the mailbox until the fault is removed; the managed identity's cached token does
 * not change, so there is nothing to replay with.
 */
async function driveAuth(stack: GuaranteeStack, hostJson: string): Promise<AuthRun> {
  const [a, b] = await sampleMessages('auth', 2);
  if (!a || !b) throw new Error('no messages');
  const sender = mailbox('401');
  const first = fromSender(a, sender);
  const next = fromSender(b, sender);
  const calls = new Map([first, next].map((m) => [m.key, countGraphCalls(stack.sim, m.key)]));
  const fault = stack.sim.faults.add({
    match: { operation: 'sendMail', sender },
    action: {
      kind: 'status',
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure.',
    },
  });
  // Auth breaker: 60 s / 20 = 3 s before its probe; the failed message retries after 5 min / 20 = 15 s.
  const lane = await stack.newLane('auth', { env: { HR_COURIER_TIME_SCALE: '20' } });
  await lane.enqueue(first.text);
  const fleet = startWorkerFleet({
    env: lane.env,
    count: 1,
    cwd: stack.dir,
    args: ['--host-json', hostJson],
  });
  let nextCallsWhenHeld = -1;
  try {
    await fleet.waitFor((r) => reportsFor(r, first.key).length > 0, 30_000, 'the 401');
    await lane.enqueue(next.text);
    await fleet.waitFor((r) => reportsFor(r, next.key).length > 0, 30_000, 'the next message');
    nextCallsWhenHeld = calls.get(next.key)?.() ?? -1;
    // Whatever was wrong with the token is fixed.
    stack.sim.faults.remove(fault);
    await fleet.waitFor(
      (r) => [first, next].every((m) => reportsFor(r, m.key).some((x) => x.outcome === 'sent')),
      60_000,
      'both to be sent',
    );
    await lane.whenQueueEmpty(30_000);
  } finally {
    await fleet.stopAll();
  }
  const evidence = await gatherEvidence(lane, stack.sim, [first, next]);
  return {
    first,
    next,
    calls,
    nextCallsWhenHeld,
    evidence: new Map(evidence.map((e) => [e.key, e])),
    reports: fleet.reports(),
    events: await readEvents(lane.telemetryFile),
    poison: await lane.poisonTexts(),
  };
}
