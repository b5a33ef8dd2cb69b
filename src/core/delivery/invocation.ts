import type { AttemptRecord, MailRecord } from '../../ports/ledger.js';
import { createLedgerAccess, type LedgerAccess } from './ledger-access.js';
import { createServerClock, type ServerClock } from './server-clock.js';
import type { DeliverDeps, Mail } from './types.js';

/**
 * One processing of one copy of a message. The mail is fixed; what changes is kept here, in one place:
 * the server clock's last reading, the Graph calls made so far (for the look-up index and the report),
 * and whether this processing has been counted in the row's `deliveries`.
 */
export interface Invocation {
  readonly deps: DeliverDeps;
  readonly mail: Mail;
  readonly clock: ServerClock;
  readonly ledger: LedgerAccess;
  /** Graph calls of this invocation, oldest first. */
  readonly attempts: readonly AttemptRecord[];
  noteAttempt(attempt: AttemptRecord): void;
  /**
   * Writes `next` over `row` (ETag-guarded, with attempt rows in the same batch). The first write of an
   * invocation also counts the delivery; every write stamps `lastSeen`.
   */
  write(
    row: MailRecord,
    next: MailRecord,
    attempts?: readonly AttemptRecord[],
    budgetMs?: number,
  ): Promise<MailRecord>;
  /** Inserted rows count the delivery themselves (`deliveries: 1`). */
  markCounted(): void;
  iso(ms?: number): string;
}

export function createInvocation(deps: DeliverDeps, mail: Mail): Invocation {
  const clock = createServerClock(deps.clock);
  const ledger = createLedgerAccess(deps, clock, mail.input.signal);
  const attempts: AttemptRecord[] = [];
  let counted = false;
  const iso = (ms = clock.now()) => new Date(ms).toISOString();
  return {
    deps,
    mail,
    clock,
    ledger,
    attempts,
    noteAttempt: (attempt) => attempts.push(attempt),
    async write(row, next, rows = [], budgetMs) {
      const stamped: MailRecord = {
        ...next,
        etag: row.etag,
        lastSeen: iso(),
        deliveries: counted ? next.deliveries : row.deliveries + 1,
      };
      const saved = await ledger.update(stamped, rows, budgetMs);
      counted = true;
      return saved;
    },
    markCounted() {
      counted = true;
    },
    iso,
  };
}
