import type { GraphAnswer } from '../ports/graph.js';
import { FailureCode } from '../domain/failure-codes.js';

/**
 * docs/architecture.md §3 as one pure function: what a Graph answer means and what to do next.
 * Decided on HTTP status and `error.code` only — `error.message` is not a contract and can change.
 */
export type Classification =
  | { outcome: 'sent' }
  | { outcome: 'permanent'; code: FailureCode }
  | { outcome: 'auth'; code: typeof FailureCode.AcquireTokenFailed; replay: boolean }
  | {
      outcome: 'throttled';
      code: typeof FailureCode.Throttled;
      scope: 'mailbox' | 'app';
      retryAfterMs: number;
    }
  | { outcome: 'transient'; code: typeof FailureCode.Transient }
  | { outcome: 'unknown'; code: typeof FailureCode.UnknownOutcome };

export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 10 * 60_000;
/** When a 429 carries no usable Retry-After. */
export const RETRY_AFTER_DEFAULT_MS = 30_000;

export function classifyGraphAnswer(answer: GraphAnswer): Classification {
  if (answer.kind === 'network') {
    // No token: the request never left, and retrying each message cannot fix the identity.
    if (answer.errorCode === 'TokenAcquisition') {
      return { outcome: 'auth', code: FailureCode.AcquireTokenFailed, replay: false };
    }
    // Only a failure that provably happened before the body left is safe to retry.
    return answer.phase === 'before-send'
      ? { outcome: 'transient', code: FailureCode.Transient }
      : { outcome: 'unknown', code: FailureCode.UnknownOutcome };
  }
  const { status } = answer;
  // Any 2xx is acceptance; a 202 is never retried, even if it carries Retry-After.
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  switch (status) {
    case 400:
      return { outcome: 'permanent', code: FailureCode.GraphBadRequest };
    case 401:
      return { outcome: 'auth', code: FailureCode.AcquireTokenFailed, replay: answer.tokenChanged === true };
    case 403:
      return { outcome: 'permanent', code: FailureCode.PolicyDenied };
    case 404:
      return { outcome: 'permanent', code: FailureCode.SenderNotFound };
    case 413:
      return { outcome: 'permanent', code: FailureCode.TooLarge };
    case 429:
      return {
        outcome: 'throttled',
        code: FailureCode.Throttled,
        scope: answer.throttleReason === 'MailboxConcurrency' ? 'mailbox' : 'app',
        retryAfterMs: retryAfterMs(answer.retryAfter, answer.date),
      };
    case 503:
      return { outcome: 'transient', code: FailureCode.Transient };
  }
  // 500, 502, 504 and every other server-side or gateway answer: the mail may have gone out.
  if (status >= 500 || status === 408) return { outcome: 'unknown', code: FailureCode.UnknownOutcome };
  // Any other 4xx: Graph refused this request as it is; sending it again cannot help.
  return { outcome: 'permanent', code: FailureCode.GraphRejected };
}

/**
 * Retry-After in seconds or as an HTTP-date (measured against the response's own `Date`, i.e. the
 * server's clock, never ours), clamped to 1 s – 10 min. Absent or unreadable → the default.
 */
export function retryAfterMs(header: string | undefined, responseDate: string | undefined): number {
  if (header === undefined || header.trim() === '') return RETRY_AFTER_DEFAULT_MS;
  const value = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const at = Date.parse(value);
    const now = responseDate === undefined ? Number.NaN : Date.parse(responseDate);
    if (Number.isNaN(at) || Number.isNaN(now)) return RETRY_AFTER_DEFAULT_MS;
    ms = at - now;
  }
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, Math.ceil(ms)));
}
