import { QueueMessageGoneError, type ReceivedMessage } from '../ports/queue.js';
import { errorFacts } from './error-facts.js';
import { waitFor } from './wait.js';
import { startVisibilityLease } from './visibility-lease.js';
import type { WorkerCounts, WorkerDeps } from './worker-types.js';

export interface MessageRunnerContext {
  deps: WorkerDeps;
  leaseSec: number;
  counts: WorkerCounts;
  /** Aborted when the shutdown grace is over: handlers see it as their signal. */
  shutdown: AbortSignal;
  /** Aborted when the worker gives up on handlers that ignored `shutdown`. */
  abandon: AbortSignal;
}

/**
 * Takes one received message to its outcome, as the Functions host's queue processor does: run the
 * handler while keeping the message invisible; then delete it, release it for a retry after
 * visibilityTimeout, or, at maxDequeueCount, copy its text to the poison queue and delete it.
 */
export function createMessageRunner(ctx: MessageRunnerContext): {
  run(message: ReceivedMessage): Promise<void>;
  poison(message: ReceivedMessage): Promise<void>;
  release(message: ReceivedMessage, delaySec: number): Promise<boolean>;
} {
  const { deps, counts } = ctx;
  const { consumer, settings, log, clock } = deps;

  const release = async (message: ReceivedMessage, delaySec: number): Promise<boolean> => {
    try {
      await consumer.release(message, delaySec);
      return true;
    } catch (e) {
      // Not fatal: the message reappears anyway when its lease lapses.
      log.warn('queue message release failed', { messageId: message.id, ...errorFacts(e) });
      return false;
    }
  };

  const remove = async (message: ReceivedMessage): Promise<void> => {
    try {
      await consumer.delete(message);
    } catch (e) {
      const facts = { messageId: message.id, ...errorFacts(e) };
      if (e instanceof QueueMessageGoneError) log.info('queue message already gone at delete', facts);
      else log.warn('queue message delete failed; it will be delivered again', facts);
    }
  };

  const poison = async (message: ReceivedMessage): Promise<void> => {
    try {
      await deps.poison.send(message.text);
    } catch (e) {
      // Keep it in the main queue: it comes back past maxDequeueCount and is poisoned on arrival.
      log.error('queue message could not be copied to poison', { messageId: message.id, ...errorFacts(e) });
      await release(message, settings.visibilityTimeoutSec);
      return;
    }
    await remove(message);
    counts.poisoned += 1;
    log.warn('queue message moved to poison', {
      messageId: message.id,
      dequeueCount: message.dequeueCount,
      poisonQueue: deps.poison.name,
    });
  };

  const invoke = async (message: ReceivedMessage): Promise<{ ok: true } | { ok: false; error: unknown }> => {
    const done = new AbortController();
    const timedOut = new AbortController();
    const timeoutMs = settings.functionTimeoutMs;
    if (timeoutMs !== undefined) {
      void waitFor(clock, timeoutMs, done.signal).then(() => {
        if (!done.signal.aborted) timedOut.abort(new Error('functionTimeout elapsed'));
      });
    }
    try {
      await deps.handler(
        {
          id: message.id,
          text: message.text,
          dequeueCount: message.dequeueCount,
          ...(message.insertedOn ? { insertedOn: message.insertedOn } : {}),
        },
        AbortSignal.any([ctx.shutdown, timedOut.signal]),
      );
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    } finally {
      done.abort();
    }
  };

  const run = async (received: ReceivedMessage): Promise<void> => {
    const lease = startVisibilityLease(
      { consumer, clock, log, leaseSec: ctx.leaseSec, abandon: ctx.abandon },
      received,
    );
    const outcome = await invoke(received);
    const message = await lease.stop();

    if (outcome.ok) {
      counts.processed += 1;
      counts.succeeded += 1;
      if (!lease.lost) await remove(message);
      return;
    }
    if (ctx.shutdown.aborted) {
      // Stopped by us, not failed by the message: not a failure, never poisoned, visible again at once.
      if (!lease.lost && (await release(message, 0))) counts.released += 1;
      return;
    }
    counts.processed += 1;
    counts.failed += 1;
    log.warn('queue message failed', {
      messageId: message.id,
      dequeueCount: message.dequeueCount,
      ...errorFacts(outcome.error),
    });
    if (lease.lost) return;
    if (message.dequeueCount >= settings.maxDequeueCount) await poison(message);
    else await release(message, settings.visibilityTimeoutSec);
  };

  return { run, poison, release };
}
