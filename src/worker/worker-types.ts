import type { Clock } from '../ports/clock.js';
import type { QueueConsumer, QueueWriter } from '../ports/queue.js';
import type { Logger } from '../ports/telemetry.js';
import type { HostQueueSettings } from './host-settings.js';

/** What the handler sees of a queue message: the same facts the Functions host gives a queue trigger. */
export interface QueueMessage {
  id: string;
  text: string;
  dequeueCount: number;
  insertedOn?: Date;
}

/** Resolve to complete the message; throw to fail this attempt (retry, or poison at maxDequeueCount). */
export type QueueHandler = (message: QueueMessage, signal: AbortSignal) => Promise<void>;

export interface WorkerDeps {
  consumer: QueueConsumer;
  /** `<queue>-poison`: where a message goes, text unchanged, after maxDequeueCount failed attempts. */
  poison: QueueWriter;
  settings: HostQueueSettings;
  handler: QueueHandler;
  clock: Clock;
  log: Logger;
  /**
   * How long a received message stays invisible before its next renewal must land (default 60 s;
   * renewed every half). The host uses 10 minutes; shorter means a crashed local worker's messages come
   * back sooner.
   */
  leaseSec?: number;
}

export interface WorkerCounts {
  /** Handler runs that finished: succeeded + failed. */
  processed: number;
  succeeded: number;
  /** Handler runs that threw (each attempt counts; a retried message may fail more than once). */
  failed: number;
  /** Messages copied to the poison queue and removed from the main queue. */
  poisoned: number;
  /** Messages handed back to the queue, visible at once, because the worker was stopping. */
  released: number;
  /** Handlers that ignored the abort; their messages reappear when their lease lapses. */
  abandoned: number;
}

export interface WorkerProgress extends WorkerCounts {
  inFlight: number;
}

export type WorkerStopReason = 'drained' | 'signal' | 'maxWait';

export interface WorkerSummary extends WorkerCounts {
  stoppedBy: WorkerStopReason;
  /** The queue's approximate count (visible and invisible) when the worker stopped; undefined if unreadable. */
  remaining: number | undefined;
}

export interface WorkerRunOptions {
  /** Return once the queue is empty (invisible messages included) and nothing is in flight. */
  drain: boolean;
  /** Aborting stops fetching, lets in-flight handlers finish, releases unstarted messages, then resolves. */
  signal: AbortSignal;
  /** Stop anyway after this long; the summary says how many messages remain. */
  maxWaitMs?: number;
  /** How long in-flight handlers may run on after a stop before their signal is aborted (default 30 s). */
  graceMs?: number;
  onProgress?: (progress: WorkerProgress) => void;
}

export interface Worker {
  run(options: WorkerRunOptions): Promise<WorkerSummary>;
}
