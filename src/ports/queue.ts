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
