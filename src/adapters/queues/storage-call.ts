import type { QueueClient } from '@azure/storage-queue';
import { QueueMessageGoneError } from '../../ports/queue.js';
import { QUEUE_LIMITS } from './queue-limits.js';
import {
  QueueErrorCode,
  QueueMessageTooLargeError,
  QueueStorageError,
  type QueueOperation,
} from './queue-errors.js';

/** Runs one SDK call: creates the queue on first use (and again if it was deleted), and maps errors. */
export type StorageCall = <T>(operation: QueueOperation, fn: () => Promise<T>) => Promise<T>;

interface SdkError {
  code?: unknown;
  statusCode?: unknown;
}

function codeOf(e: unknown): { code: string; statusCode: number | undefined } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkError;
  return {
    code: typeof err.code === 'string' ? err.code : 'Unknown',
    statusCode: typeof err.statusCode === 'number' ? err.statusCode : undefined,
  };
}

/** Storage's two ways of saying a message is no longer ours: deleted, or received by someone else. */
const GONE: readonly string[] = [QueueErrorCode.MessageNotFound, QueueErrorCode.PopReceiptMismatch];

/**
 * Replaces an SDK error with a QueueStorageError, or the port's QueueMessageGoneError. The SDK's
 * RestError carries the request, and for a send that includes the message text: it must never
 * reach a log.
 */
export function toQueueError(queue: string, operation: QueueOperation, e: unknown): Error {
  const { code, statusCode } = codeOf(e);
  if (statusCode === 413 || code === QueueErrorCode.RequestBodyTooLarge) {
    return new QueueMessageTooLargeError(queue, QUEUE_LIMITS.maxMessageBytes);
  }
  if (GONE.includes(code)) return new QueueMessageGoneError(queue, operation, code);
  return new QueueStorageError(queue, operation, code, statusCode);
}

export function createStorageCall(client: QueueClient): StorageCall {
  // Per client, not per module: each adapter instance remembers whether it has created its queue.
  let created: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    created ??= client.createIfNotExists().then(
      () => undefined,
      (e: unknown) => {
        created = undefined;
        throw toQueueError(client.name, 'create', e);
      },
    );
    return created;
  };

  return async (operation, fn) => {
    await ensure();
    try {
      return await fn();
    } catch (e) {
      if (codeOf(e).code !== QueueErrorCode.QueueNotFound) throw toQueueError(client.name, operation, e);
      // Someone deleted the queue while we ran: create it again and retry once.
      created = undefined;
      await ensure();
      try {
        return await fn();
      } catch (again) {
        throw toQueueError(client.name, operation, again);
      }
    }
  };
}
