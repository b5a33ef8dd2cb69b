import type { FailureCode } from './failure-codes.js';

/**
 * Why a message failed, in a form that is safe to store and emit: a stable code, the HTTP status
 * and Graph error code when Graph answered, and field paths (never field values).
 */
export interface FailureReason {
  code: FailureCode;
  /** Safe, PII-free explanation: names fields and limits, never their values. */
  detail: string;
  status?: number;
  graphCode?: string;
  /** Contract field paths such as `to[0].address` or template fields such as `data.startDate`. */
  fieldPaths?: string[];
  /** The attempts (attemptId GUIDs) that led to this reason, when Graph was called. */
  attemptIds?: string[];
}

/**
 * "Do not retry": the message can never succeed as it is. It goes to the poison queue with its reason.
 * The message text must be PII-free; it is shown to operators and stored in the ledger.
 */
export class PermanentDeliveryError extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason) {
    super(`${reason.code}: ${reason.detail}`);
    this.name = 'PermanentDeliveryError';
    this.reason = reason;
  }
}

export function permanent(
  code: FailureCode,
  detail: string,
  extra: Omit<FailureReason, 'code' | 'detail'> = {},
): PermanentDeliveryError {
  return new PermanentDeliveryError({ code, detail, ...extra });
}

export function isPermanentDeliveryError(e: unknown): e is PermanentDeliveryError {
  return e instanceof PermanentDeliveryError;
}
