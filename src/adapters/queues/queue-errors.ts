/**
 * Errors from a queue, in a form that is safe to log: the queue name, the operation, the storage error code
 * and the HTTP status. Never the message text, and never the SDK's error, whose request carries the body.
 */
export const QueueErrorCode = {
  /** The message is gone: deleted, or expired. */
  MessageNotFound: 'MessageNotFound',
  /** Someone received the message again since our pop receipt was issued: we no longer own it. */
  PopReceiptMismatch: 'PopReceiptMismatch',
  QueueNotFound: 'QueueNotFound',
  /** Storage's code when a message exceeds 64 KiB. */
  RequestBodyTooLarge: 'RequestBodyTooLarge',
} as const;

export type QueueOperation = 'create' | 'send' | 'receive' | 'delete' | 'release' | 'count';

export class QueueStorageError extends Error {
  readonly queue: string;
  readonly operation: QueueOperation;
  /** The storage error code (`MessageNotFound`, …) or the network error code (`ECONNREFUSED`, …). */
  readonly code: string;
  readonly statusCode: number | undefined;
  constructor(queue: string, operation: QueueOperation, code: string, statusCode?: number) {
    super(`queue '${queue}': ${operation} failed with ${statusCode ?? 'no response'} ${code}`);
    this.name = 'QueueStorageError';
    this.queue = queue;
    this.operation = operation;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** A message over the queue's 64 KiB limit. Names the sizes, never the content. */
export class QueueMessageTooLargeError extends Error {
  readonly code = 'MessageTooLarge';
  readonly queue: string;
  readonly sizeBytes: number | undefined;
  readonly limitBytes: number;
  constructor(queue: string, limitBytes: number, sizeBytes?: number) {
    super(
      sizeBytes === undefined
        ? `queue '${queue}': message text exceeds the ${limitBytes}-byte limit`
        : `queue '${queue}': message text is ${sizeBytes} bytes, over the ${limitBytes}-byte limit`,
    );
    this.name = 'QueueMessageTooLargeError';
    this.queue = queue;
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }
}
