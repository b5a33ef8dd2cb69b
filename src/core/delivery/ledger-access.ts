import {
  LedgerConflictError,
  LedgerUnavailableError,
  type AttemptRecord,
  type KeyClaim,
  type LedgerResult,
  type MailRecord,
  type NewMailRecord,
} from '../../ports/ledger.js';
import { retrying } from '../backoff.js';
import type { ServerClock } from './server-clock.js';
import type { DeliverDeps } from './types.js';

/** The ledger as one invocation uses it: every call rides out short outages and reads the server's clock. */
export interface LedgerAccess {
  read(businessId: string, key: string): Promise<MailRecord | undefined>;
  insert(record: NewMailRecord): Promise<MailRecord>;
  /** ETag-guarded: throws LedgerConflictError when the row changed since `record` was read. */
  update(record: MailRecord, attempts?: readonly AttemptRecord[], budgetMs?: number): Promise<MailRecord>;
  claim(claim: KeyClaim): Promise<KeyClaim>;
  /** An insert that, once written, never changes: a second copy of the same input finds it there. */
  insertOnce(record: NewMailRecord): Promise<MailRecord>;
}

/** Ledger calls are retried with backoff while storage is unavailable, for the configured budget, then rethrown. */
export function withLedgerRetries<T>(
  deps: DeliverDeps,
  op: () => Promise<T>,
  options: { budgetMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  return retrying(op, {
    isRetryable: (e) => e instanceof LedgerUnavailableError,
    budgetMs: options.budgetMs ?? deps.settings.ledgerRetryBudgetMs,
    clock: deps.clock,
    random: deps.random,
    baseMs: 500,
    capMs: 20_000,
    ...(options.signal ? { signal: options.signal } : {}),
    onRetry: (_e, attempt, delayMs) => {
      deps.log.warn('ledger unavailable; retrying', { attempt, delayMs });
    },
  });
}

export function createLedgerAccess(
  deps: DeliverDeps,
  clock: ServerClock,
  signal?: AbortSignal,
): LedgerAccess {
  // Only a read gives up early on shutdown: a write may follow a Graph call whose answer must land.
  const timed = async <T>(
    op: () => Promise<LedgerResult<T>>,
    options: { budgetMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> => {
    const sentAt = deps.clock.monotonic();
    const result = await withLedgerRetries(deps, op, options);
    clock.observe(result.serverTime, sentAt);
    return result.value;
  };
  const access: LedgerAccess = {
    read: (businessId, key) => timed(() => deps.ledger.read(businessId, key), signal ? { signal } : {}),
    insert: (record) => timed(() => deps.ledger.insert(record)),
    update: (record, attempts = [], budgetMs) =>
      timed(() => deps.ledger.update(record, [...attempts]), budgetMs === undefined ? {} : { budgetMs }),
    claim: (claim) => timed(() => deps.ledger.claimKey(claim)),
    async insertOnce(record) {
      try {
        return await access.insert(record);
      } catch (e) {
        if (!(e instanceof LedgerConflictError)) throw e;
        const existing = await access.read(record.businessId, record.key);
        if (!existing) throw e;
        return existing;
      }
    },
  };
  return access;
}

/**
 * The one conflict rule: a write is made against the row version a decision was taken from; when
 * another copy changed the row first (LedgerConflictError), read the row again and decide again.
 * A stale decision is never re-applied. Bounded: under endless contention the host retries later.
 */
export async function retryOnConflict<T>(
  first: MailRecord | undefined,
  read: () => Promise<MailRecord | undefined>,
  decideAndWrite: (row: MailRecord | undefined) => Promise<T>,
  rounds = 5,
): Promise<T> {
  let row = first;
  for (let round = 0; ; round++) {
    try {
      return await decideAndWrite(row);
    } catch (e) {
      if (!(e instanceof LedgerConflictError) || round >= rounds) throw e;
      row = await read();
    }
  }
}
