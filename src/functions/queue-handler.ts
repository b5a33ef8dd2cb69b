import type { InvocationContext } from '@azure/functions';
import type { Runtime } from '../runtime/compose.js';

/**
 * The queue message as the text the producer wrote. The trigger is registered with
 * `dataType: 'binary'`, so the host hands over the exact bytes (what goes to poison must be the
 * original). Should a host ignore that, a string is still exact; an object means the library already
 * parsed JSON, and re-serialising it is the best that is left (same content, maybe other spacing).
 */
export function queueEntryText(entry: unknown): string {
  if (Buffer.isBuffer(entry)) return entry.toString('utf8');
  if (entry instanceof Uint8Array) return Buffer.from(entry).toString('utf8');
  if (typeof entry === 'string') return entry;
  return JSON.stringify(entry);
}

function dequeueCountOf(context: InvocationContext): number {
  const raw = context.triggerMetadata?.dequeueCount;
  const n = typeof raw === 'number' ? raw : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * The Function's handler: hands the message to the same `deliver` the local worker uses. Returning
 * acks the message; throwing leaves it to the host (retry after visibilityTimeout, poison after
 * maxDequeueCount) — which only happens when the ledger could not record an outcome.
 */
export function createQueueHandler(getRuntime: () => Promise<Runtime>) {
  return async function deliverQueueMessage(entry: unknown, context: InvocationContext): Promise<void> {
    const runtime = await getRuntime();
    const id = context.triggerMetadata?.id;
    const report = await runtime.deliver({
      text: queueEntryText(entry),
      dequeueCount: dequeueCountOf(context),
      ...(typeof id === 'string' ? { id } : {}),
    });
    // The report holds ids, codes and counts only (no recipient, subject or data).
    context.info(`hr-courier ${report.outcome}`, JSON.stringify(report));
  };
}
