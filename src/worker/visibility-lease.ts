import type { Clock } from '../ports/clock.js';
import { QueueMessageGoneError, type QueueConsumer, type ReceivedMessage } from '../ports/queue.js';
import type { Logger } from '../ports/telemetry.js';
import { errorFacts } from './error-facts.js';
import { waitFor } from './wait.js';

export interface VisibilityLease {
  /** True once the queue said the message is no longer ours (deleted, or received by someone else). */
  readonly lost: boolean;
  /** Stops renewing, waits for a renewal in progress, and returns the message with its latest pop receipt. */
  stop(): Promise<ReceivedMessage>;
}

export interface VisibilityLeaseDeps {
  consumer: QueueConsumer;
  clock: Clock;
  log: Logger;
  leaseSec: number;
  /** Stops renewals without waiting: the message then reappears when its lease lapses. */
  abandon: AbortSignal;
}

/**
 * Keeps a message invisible while its handler runs, as the Functions host does: renews at half the lease,
 * and after a failed renewal tries again sooner, so that a storage blip does not hand the message to
 * another consumer mid-send.
 */
export function startVisibilityLease(deps: VisibilityLeaseDeps, message: ReceivedMessage): VisibilityLease {
  const { consumer, clock, log, leaseSec, abandon } = deps;
  const renewEveryMs = leaseSec * 500;
  const retryMs = Math.max(100, Math.floor((leaseSec * 1000) / 8));
  const stopped = new AbortController();
  let current = message;
  let lost = false;

  const loop = (async () => {
    let delay = renewEveryMs;
    for (;;) {
      await waitFor(clock, delay, stopped.signal, abandon);
      if (stopped.signal.aborted || abandon.aborted) return;
      try {
        current = { ...current, popReceipt: await consumer.release(current, leaseSec) };
        delay = renewEveryMs;
      } catch (e) {
        if (e instanceof QueueMessageGoneError) {
          lost = true;
          log.warn('queue message lease lost', { messageId: message.id, ...errorFacts(e) });
          return;
        }
        log.warn('queue message lease renewal failed', { messageId: message.id, ...errorFacts(e) });
        delay = retryMs;
      }
    }
  })();

  return {
    get lost() {
      return lost;
    },
    async stop() {
      stopped.abort();
      await loop;
      return current;
    },
  };
}
