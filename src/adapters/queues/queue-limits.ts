import { QueueMessageTooLargeError } from './queue-errors.js';

/** Azure Queue Storage limits, enforced before the call so the error names the limit. */
export const QUEUE_LIMITS = {
  /** Message text, UTF-8, as sent with messageEncoding none. */
  maxMessageBytes: 64 * 1024,
  /** A visibility delay or timeout may not exceed 7 days. */
  maxVisibilitySec: 7 * 24 * 60 * 60,
  /** Get Messages returns at most 32 per call. */
  maxReceiveBatch: 32,
  /** Queue names are 3–63 characters. */
  maxQueueNameLength: 63,
} as const;

export function assertMessageSize(queue: string, text: string): void {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > QUEUE_LIMITS.maxMessageBytes) {
    throw new QueueMessageTooLargeError(queue, QUEUE_LIMITS.maxMessageBytes, size);
  }
}

function assertWholeSeconds(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > QUEUE_LIMITS.maxVisibilitySec) {
    throw new RangeError(
      `${field} must be a whole number of seconds from ${min} to ${QUEUE_LIMITS.maxVisibilitySec}`,
    );
  }
}

/** For send and release: 0 (visible now) to 7 days. */
export function assertVisibilityDelay(value: number): void {
  assertWholeSeconds('visibilityDelaySec', value, 0);
}

/** For receive: the service wants at least 1 second. */
export function assertReceiveArgs(max: number, visibilityTimeoutSec: number): void {
  if (!Number.isInteger(max) || max < 1 || max > QUEUE_LIMITS.maxReceiveBatch) {
    throw new RangeError(`max must be a whole number from 1 to ${QUEUE_LIMITS.maxReceiveBatch}`);
  }
  assertWholeSeconds('visibilityTimeoutSec', visibilityTimeoutSec, 1);
}

/**
 * The Functions host copies failed messages to `<queue>-poison`, and has no poison queue for a name
 * too long to take the suffix: refuse such a name rather than lose failures silently.
 */
export function poisonQueueName(queue: string): string {
  const name = `${queue}-poison`;
  if (name.length > QUEUE_LIMITS.maxQueueNameLength) {
    throw new RangeError(
      `queue name must be at most ${QUEUE_LIMITS.maxQueueNameLength - 7} characters so that its poison queue can exist`,
    );
  }
  return name;
}
