/** The queues hr-courier writes to: re-enqueue (defer) and poison. Text goes as-is (messageEncoding none). */
export interface QueueWriter {
  readonly name: string;
  /**
   * Enqueues the text unchanged with a time-to-live of "never expires".
   * `visibilityDelaySec` must be 0..604800 (7 days).
   */
  send(text: string, options?: { visibilityDelaySec?: number }): Promise<{ messageId: string }>;
}

export interface ReceivedMessage {
  id: string;
  popReceipt: string;
  text: string;
  dequeueCount: number;
  insertedOn?: Date;
}

/** The consuming side, used by the local worker (in Azure the Functions host does this). */
export interface QueueConsumer {
  readonly name: string;
  receive(max: number, visibilityTimeoutSec: number): Promise<ReceivedMessage[]>;
  delete(message: ReceivedMessage): Promise<void>;
  /** Makes the message visible again after `visibilityDelaySec` (0 = now). Returns the new pop receipt. */
  release(message: ReceivedMessage, visibilityDelaySec: number): Promise<string>;
  /** Approximate number of messages, visible or not. */
  approximateCount(): Promise<number>;
}

/**
 * A delete, release or renewal found the message no longer ours: it was deleted, or its visibility
 * lapsed and another consumer received it. Nothing to retry: the new owner carries on. Every queue
 * adapter reports that case with this error, so the worker need not know any storage error code.
 */
export class QueueMessageGoneError extends Error {
  readonly queue: string;
  /** The store's own code for it (Azure: `MessageNotFound` or `PopReceiptMismatch`), for logs. */
  readonly code: string;
  constructor(queue: string, operation: string, code: string) {
    super(`queue '${queue}': ${operation} found the message gone (${code})`);
    this.name = 'QueueMessageGoneError';
    this.queue = queue;
    this.code = code;
  }
}
