import type { BenchOptions } from './bench-options.js';
import type { StorageService } from './counting-proxy.js';
import type { MachineInfo } from './machine.js';

export type Impl = 'hr-courier' | 'naive';

export const IMPLS: readonly Impl[] = ['hr-courier', 'naive'];

/** What the ledger says about the keys of a run (hr-courier only: the naive worker keeps none). */
export interface LedgerOutcome {
  sent: number;
  failed: number;
  expired: number;
  /** Held `unknown`, whether or not the mail went out. */
  unknown: number;
  /** Held `unknown` although the simulator accepted the mail: ambiguity resolved safely. */
  unknownButSent: number;
  /** Accepted by the simulator, yet the ledger says neither sent nor unknown: evidence missing. */
  unrecordedSends: number;
  /** Never sent and not recorded as failed, expired or unknown: lost. */
  lost: number;
}

/** Everything measured in one run of one implementation. */
export interface RunResult {
  impl: Impl;
  workers: number;
  messages: number;
  /** Every worker exited by itself (queue drained) before the run's time limit. */
  completed: boolean;
  /** Worker start to the exit of the last worker, ms. */
  drainMs: number;
  /** First accepted mail to the answer of the last (acceptance + latency), ms. */
  sendWindowMs: number | undefined;
  /** The longest time between two accepted mails: how long sending stalled, ms. */
  longestGapMs: number;
  /** Distinct keys the simulator accepted at least once. */
  delivered: number;
  /** Accepted sendMail requests, duplicates included. */
  accepted: number;
  /** Extra copies: accepted sends beyond the first per key. */
  duplicates: number;
  duplicateKeys: number;
  /** Keys the simulator never accepted. */
  neverSent: number;
  /** sendMail requests that reached the simulator. */
  graphCalls: number;
  /** 429s the simulator sent (concurrency limit and injected storms). */
  throttled: number;
  rejectedByStatus: Record<string, number>;
  /** Accepted mail above a mailbox's message rate (Exchange would delay it). */
  overRate: number;
  overBudget: number;
  /** Graph requests that arrived inside a Retry-After window the simulator had announced. */
  callsDuringPause: number;
  maxInFlight: number;
  maxInFlightPerMailbox: number;
  storageRequests: Record<StorageService, number> & { total: number };
  /** CPU time of all worker processes (crashed ones included), ms. */
  cpuMs: number | undefined;
  /** The highest peak RSS of any worker process, bytes. */
  peakRssBytes: number | undefined;
  /** Messages in `<queue>-poison` at the end. */
  poisoned: number;
  /** Messages in `<queue>-held` at the end (hr-courier's unknown outcomes). */
  held: number;
  ledger?: LedgerOutcome;
  /** What the scenario did during the run, with ms since worker start. */
  events: { atMs: number; what: string }[];
  /** The end of the workers' stderr when the run did not complete. */
  problem?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What was run, in words: sizes, faults, workers. */
  description: string;
  messages: number;
  workers: number;
  /** The ideal client's drain time for this input under the simulator's limits, ms (steady only). */
  idealMs?: number;
  runs: Partial<Record<Impl, RunResult>>;
}

/** The simulator's limits in force for every run, and the time scale behind them. */
export interface BenchLimits {
  timeScale: number;
  mailboxes: number;
  latencyMs: number;
  appConcurrency: number;
  mailboxConcurrency: number;
  mailboxPerMinute: number;
  rateWindowMs: number;
  recipientsPerDay: number;
  recipientWindowMs: number;
  concurrencyRetryAfterSec: number;
  /** hr-courier's own caps (HR_COURIER_APP_CONCURRENCY, HR_COURIER_MAILBOX_CONCURRENCY). */
  hrCourierAppConcurrency: number;
  hrCourierMailboxConcurrency: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  /** The exact command that produced these results. */
  command: string;
  machine: MachineInfo;
  /** Sizes, faults and scale as run (the command's options with defaults applied). */
  options: BenchOptions;
  limits: BenchLimits;
  scenarios: ScenarioResult[];
}
