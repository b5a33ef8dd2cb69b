import type { MailState } from '../ports/ledger.js';
import type { AcceptedMail, SimulatorStats } from '../sim/index.js';
import type { LedgerOutcome, RunResult } from './bench-types.js';

type SendFacts = Pick<
  RunResult,
  | 'delivered'
  | 'accepted'
  | 'duplicates'
  | 'duplicateKeys'
  | 'neverSent'
  | 'graphCalls'
  | 'throttled'
  | 'rejectedByStatus'
  | 'overRate'
  | 'overBudget'
  | 'callsDuringPause'
  | 'maxInFlight'
  | 'maxInFlightPerMailbox'
  | 'sendWindowMs'
  | 'longestGapMs'
>;

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/**
 * What the simulator saw of a run, for the run's keys. Graph calls are counted from the answers: every
 * request was either accepted or answered otherwise, except that an after-acceptance fault answers an
 * accepted mail a second time (it is in both counts), so those are taken out once.
 */
export function sendFacts(input: {
  stats: SimulatorStats;
  accepted: readonly AcceptedMail[];
  keys: readonly string[];
  /** Ids of fault rules that answered after accepting the mail. */
  afterAcceptRules: readonly string[];
  latencyMs: number;
}): SendFacts {
  const { stats, accepted, keys } = input;
  const sends = keys.map((key) => stats.sendsByKey[key] ?? 0);
  const times = accepted
    .map((m) => Date.parse(m.acceptedAt))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  const answeredTwice = sum(input.afterAcceptRules.map((id) => stats.faultsApplied[id] ?? 0));
  return {
    delivered: sends.filter((n) => n > 0).length,
    accepted: stats.accepted,
    duplicates: sum(sends.map((n) => Math.max(0, n - 1))),
    duplicateKeys: sends.filter((n) => n > 1).length,
    neverSent: sends.filter((n) => n === 0).length,
    graphCalls: stats.accepted + sum(Object.values(stats.rejectedByStatus)) + stats.resets - answeredTwice,
    throttled: stats.throttled.total,
    rejectedByStatus: stats.rejectedByStatus,
    overRate: sum(Object.values(stats.overRateByMailbox)),
    overBudget: sum(Object.values(stats.overBudgetByMailbox)),
    callsDuringPause: stats.callsDuringPause.total,
    maxInFlight: stats.maxInFlight,
    maxInFlightPerMailbox: Math.max(0, ...Object.values(stats.maxInFlightByMailbox)),
    sendWindowMs: times.length === 0 ? undefined : (times.at(-1) ?? 0) - (times[0] ?? 0) + input.latencyMs,
    longestGapMs: Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] ?? t))),
  };
}

/**
 * Holds the ledger to its promise for every key: sent; failed, expired or held unknown; never anything
 * else once the workers have drained. `states` maps a key to its ledger state (undefined: no row).
 */
export function ledgerOutcome(
  keys: readonly string[],
  sendsByKey: Readonly<Record<string, number>>,
  states: ReadonlyMap<string, MailState | undefined>,
): LedgerOutcome {
  const outcome: LedgerOutcome = {
    sent: 0,
    failed: 0,
    expired: 0,
    unknown: 0,
    unknownButSent: 0,
    unrecordedSends: 0,
    lost: 0,
  };
  for (const key of keys) {
    const state = states.get(key);
    const wentOut = (sendsByKey[key] ?? 0) > 0;
    if (state === 'sent') outcome.sent += 1;
    else if (state === 'unknown') {
      outcome.unknown += 1;
      if (wentOut) outcome.unknownButSent += 1;
    } else if (wentOut) outcome.unrecordedSends += 1;
    else if (state === 'failed') outcome.failed += 1;
    else if (state === 'expired') outcome.expired += 1;
    else outcome.lost += 1;
  }
  return outcome;
}
