import { LedgerConflictError, LedgerUnavailableError } from '../../ports/ledger.js';
import { LedgerLimitError } from './table-limits.js';

export type LedgerOperation =
  'read' | 'insert' | 'claim' | 'update' | 'history' | 'index' | 'lookup' | 'ensure-table';

interface StorageErrorShape {
  name?: unknown;
  statusCode?: unknown;
  code?: unknown;
  details?: { errorCode?: unknown };
}

export function statusOf(e: unknown): number | undefined {
  const status = typeof e === 'object' && e !== null ? (e as StorageErrorShape).statusCode : undefined;
  return typeof status === 'number' ? status : undefined;
}

function nameOf(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as StorageErrorShape).name : undefined;
}

/** The storage error code: from the body, or from the x-ms-error-code header (`details`). */
function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, details } = e as StorageErrorShape;
  const found = details?.errorCode ?? code;
  return typeof found === 'string' ? found : undefined;
}

/** 404 for a row, as opposed to 404 for the whole table. */
export function isRowMissing(e: unknown): boolean {
  return statusOf(e) === 404 && codeOf(e) !== 'TableNotFound';
}

/**
 * Storage errors as the Ledger port names them. Decided on status and code, never on message text:
 * - 404 TableNotFound: unavailable (the table is missing: a deployment fault to fix, then retry);
 * - 409 on insert: the row exists; 412 (also inside a batch), 404 or 409 on update: the state row
 *   changed, vanished, or an attempt row it would add exists — all "re-read and decide again";
 * - no status (refused, reset, DNS, timeout), 408, 429, 5xx, and 401/403 (a role assignment can
 *   take minutes to apply): unavailable, retry later;
 * - anything else (400: a request we should never have sent) propagates as it is.
 * Messages carry the operation and status, never keys or values.
 */
export function toLedgerError(e: unknown, operation: LedgerOperation, timeoutMs: number): unknown {
  if (
    e instanceof LedgerConflictError ||
    e instanceof LedgerUnavailableError ||
    e instanceof LedgerLimitError
  ) {
    return e;
  }
  const status = statusOf(e);
  if (status === 404 && codeOf(e) === 'TableNotFound') {
    // A deployment fault (the table was never created or was deleted): retry once it is fixed.
    return new LedgerUnavailableError(`ledger ${operation} failed: the ledger table does not exist`, {
      cause: e,
    });
  }
  if ((operation === 'insert' || operation === 'claim') && status === 409)
    return new LedgerConflictError('insert');
  if (operation === 'update' && (status === 412 || status === 404 || status === 409)) {
    return new LedgerConflictError('update');
  }
  if (nameOf(e) === 'AbortError') {
    return new LedgerUnavailableError(`ledger ${operation} timed out after ${timeoutMs} ms`, { cause: e });
  }
  if (status === undefined && nameOf(e) === 'RestError') {
    const code = codeOf(e) ?? 'network error';
    return new LedgerUnavailableError(`ledger ${operation} failed: storage unreachable (${code})`, {
      cause: e,
    });
  }
  if (
    status !== undefined &&
    (status >= 500 || status === 408 || status === 429 || status === 401 || status === 403)
  ) {
    return new LedgerUnavailableError(`ledger ${operation} failed: storage answered ${status}`, { cause: e });
  }
  return e;
}
