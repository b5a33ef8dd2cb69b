import type { HostQueueSettings } from '../../src/worker/host-settings.js';
import {
  createWorker,
  type QueueHandler,
  type WorkerDeps,
  type WorkerSummary,
} from '../../src/worker/worker.js';
import { createFakeQueue } from '../fakes/queue.js';
import { createRecordingLogger } from './recording-logger.js';
import { createSteppedClock, type SteppedClock } from './stepped-clock.js';

/** The repository's host.json values. */
export const settings: HostQueueSettings = {
  batchSize: 4,
  newBatchThreshold: 2,
  maxDequeueCount: 10,
  visibilityTimeoutSec: 45,
  maxPollingIntervalMs: 10_000,
  messageEncoding: 'none',
  functionTimeoutMs: undefined,
};

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A worker on fake queues and a stepped clock. */
export function setup(overrides: Partial<WorkerDeps> & { handler: QueueHandler }) {
  const clock = createSteppedClock();
  const queue = createFakeQueue({ name: 'hr-mail', clock });
  const poison = createFakeQueue({ name: 'hr-mail-poison', clock });
  const log = createRecordingLogger();
  const worker = createWorker({ consumer: queue, poison, settings, clock, log, ...overrides });
  return { clock, queue, poison, log, worker };
}

/** Moves virtual time in steps until the run resolves; fails the test if it never does. */
export async function finish(
  clock: SteppedClock,
  run: Promise<WorkerSummary>,
  stepMs = 1000,
): Promise<WorkerSummary> {
  let summary: WorkerSummary | undefined;
  void run.then((s) => (summary = s));
  for (let i = 0; i < 10_000 && !summary; i++) await clock.advance(stepMs);
  if (!summary) throw new Error('the worker did not finish');
  return summary;
}

export async function isSettled(clock: SteppedClock, p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await clock.settle();
  return settled;
}
