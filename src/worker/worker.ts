import type { ReceivedMessage } from '../ports/queue.js';
import { errorFacts } from './error-facts.js';
import { createMessageRunner } from './message-runner.js';
import { createPulse, waitFor, whenAborted } from './wait.js';
import type {
  Worker,
  WorkerCounts,
  WorkerDeps,
  WorkerRunOptions,
  WorkerStopReason,
  WorkerSummary,
} from './worker-types.js';

export type * from './worker-types.js';

const DEFAULT_LEASE_SEC = 60;
const DEFAULT_GRACE_MS = 30_000;
/** After the grace, how long aborted handlers get to return before the worker stops waiting for them. */
const ABANDON_AFTER_MS = 10_000;
/** The host's shortest poll interval (QueuePollingIntervals.Minimum). */
const MIN_POLL_MS = 100;

/**
 * The Functions host's queue loop, for running the same handler without the host: fetches `batchSize`
 * messages whenever no more than `newBatchThreshold` are in flight, keeps each in-flight message
 * invisible, completes, retries or poisons it by the handler's outcome, and backs off on an empty queue.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { consumer, settings, clock, log } = deps;
  const leaseSec = deps.leaseSec ?? DEFAULT_LEASE_SEC;
  if (!Number.isInteger(leaseSec) || leaseSec < 2)
    throw new RangeError('leaseSec must be a whole number ≥ 2');
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1 || settings.batchSize > 32)
    throw new RangeError('settings.batchSize must be a whole number from 1 to 32');
  const minPollMs = Math.min(MIN_POLL_MS, settings.maxPollingIntervalMs);

  return {
    async run(options: WorkerRunOptions): Promise<WorkerSummary> {
      const counts: WorkerCounts = {
        processed: 0,
        succeeded: 0,
        failed: 0,
        poisoned: 0,
        released: 0,
        abandoned: 0,
      };
      const stop = new AbortController();
      const shutdown = new AbortController();
      const abandon = new AbortController();
      const completed = createPulse();
      const inFlight = new Set<Promise<void>>();
      let stoppedBy: WorkerStopReason | undefined;
      const stopWith = (reason: WorkerStopReason): void => {
        if (stoppedBy) return;
        stoppedBy = reason;
        stop.abort();
      };
      const stopping = (): boolean => stop.signal.aborted;
      const onSignal = (): void => {
        stopWith('signal');
      };
      if (options.signal.aborted) onSignal();
      options.signal.addEventListener('abort', onSignal, { once: true });
      if (options.maxWaitMs !== undefined) {
        void waitFor(clock, options.maxWaitMs, stop.signal).then(() => {
          stopWith('maxWait');
        });
      }

      const report = (): void => options.onProgress?.({ ...counts, inFlight: inFlight.size });
      const runner = createMessageRunner({
        deps,
        leaseSec,
        counts,
        shutdown: shutdown.signal,
        abandon: abandon.signal,
      });
      const track = (work: Promise<void>): void => {
        // The runner handles its own failures; this only keeps a bug there from hanging the shutdown.
        const guarded = work.catch((e: unknown) => {
          log.error('queue worker internal error', errorFacts(e));
        });
        const settled = guarded.finally(() => {
          inFlight.delete(settled);
          report();
          completed.fire();
        });
        inFlight.add(settled);
      };
      const start = (message: ReceivedMessage): void => {
        // The host's rule: a message already past maxDequeueCount (its last run crashed) is not run again.
        if (message.dequeueCount > settings.maxDequeueCount) track(runner.poison(message));
        else track(runner.run(message));
      };
      const count = async (): Promise<number | undefined> => {
        try {
          return await consumer.approximateCount();
        } catch (e) {
          log.warn('queue count failed', { queue: consumer.name, ...errorFacts(e) });
          return undefined;
        }
      };

      log.info('queue worker started', {
        queue: consumer.name,
        batchSize: settings.batchSize,
        newBatchThreshold: settings.newBatchThreshold,
        maxDequeueCount: settings.maxDequeueCount,
        visibilityTimeoutSec: settings.visibilityTimeoutSec,
        leaseSec,
        drain: options.drain,
      });

      let pollMs = minPollMs;
      const idle = async (): Promise<void> => {
        await waitFor(clock, pollMs, stop.signal, completed.signal);
        pollMs = Math.min(pollMs * 2, settings.maxPollingIntervalMs);
      };
      while (!stop.signal.aborted) {
        if (inFlight.size > settings.newBatchThreshold) {
          await whenAborted(stop.signal, completed.signal);
          continue;
        }
        let batch: ReceivedMessage[];
        try {
          batch = await consumer.receive(settings.batchSize, leaseSec);
        } catch (e) {
          log.warn('queue receive failed', { queue: consumer.name, ...errorFacts(e) });
          await idle();
          continue;
        }
        if (stopping()) {
          // Fetched but not started: give them straight back rather than leave them invisible.
          const given = await Promise.all(batch.map((m) => runner.release(m, 0)));
          counts.released += given.filter(Boolean).length;
          break;
        }
        if (batch.length > 0) {
          pollMs = minPollMs;
          for (const message of batch) start(message);
          continue;
        }
        if (options.drain && inFlight.size === 0 && (await count()) === 0) {
          stopWith('drained');
          break;
        }
        await idle();
      }

      await finishInFlight(options.graceMs ?? DEFAULT_GRACE_MS);
      options.signal.removeEventListener('abort', onSignal);
      const summary: WorkerSummary = {
        ...counts,
        stoppedBy: stoppedBy ?? 'signal',
        remaining: stoppedBy === 'drained' ? 0 : await count(),
      };
      report();
      log.info('queue worker stopped', { queue: consumer.name, ...summary });
      return summary;

      async function finishInFlight(graceMs: number): Promise<void> {
        if (await settledWithin(graceMs)) return;
        log.warn('queue worker aborting handlers after the shutdown grace', { inFlight: inFlight.size });
        shutdown.abort();
        if (await settledWithin(ABANDON_AFTER_MS)) return;
        counts.abandoned = inFlight.size;
        log.error('queue worker abandoned handlers that ignored the abort', { abandoned: inFlight.size });
        abandon.abort();
      }

      async function settledWithin(ms: number): Promise<boolean> {
        if (inFlight.size === 0) return true;
        const timer = new AbortController();
        const all = Promise.all([...inFlight]).then(() => true);
        const result = await Promise.race([all, waitFor(clock, ms, timer.signal).then(() => false)]);
        timer.abort();
        return result;
      }
    },
  };
}
