import type { AttemptRecord, IndexEntry, MailRecord } from '../../ports/ledger.js';
import type { TelemetryEventName, TelemetryProperties } from '../../ports/telemetry.js';
import type { QueueWriter } from '../../ports/queue.js';
import { retryOnConflict, type LedgerAccess } from './ledger-access.js';
import { renumbered } from './attempt-record.js';
import { emit, report } from './events.js';
import type { Invocation } from './invocation.js';
import type { DeliveryOutcome, DeliveryReport } from './types.js';

/** Queue visibility delays stop at 7 days; longer waits hop (the copy waits again when it arrives early). */
export const MAX_DEFER_SEC = 7 * 24 * 3600 - 60;

/** A wait as a queue visibility delay: whole seconds, at least 1, at most the 7-day hop. */
export const queueDelaySec = (ms: number): number =>
  Math.min(MAX_DEFER_SEC, Math.max(1, Math.ceil(ms / 1000)));

/**
 * A state transition and everything that goes with it. `to` is applied to the row the decision was
 * taken from, and written only if that row is still the ledger's (ETag): see retryOnConflict.
 */
export interface Settlement {
  to: (row: MailRecord) => MailRecord;
  /** The Graph call being settled: its row is written in the same batch as the state row. */
  attempt?: AttemptRecord;
  /**
   * Where this copy's original bytes go. `held` is written before the row (a row that says held always
   * has a copy there); `queue` (deferral) and `poison` after (no stray copy if the write conflicts).
   */
  copy?: { to: 'held' } | { to: 'queue'; delaySec: number } | { to: 'poison' };
  event?: { name: TelemetryEventName; extra?: TelemetryProperties };
  outcome: DeliveryOutcome;
  code?: string;
  /** Write the look-up rows (request ids) for `trace`. */
  index?: boolean;
  /** How long the write keeps being retried through a storage outage (a 202's record: longer). */
  budgetMs?: number;
}

/** A written settlement: the row as stored, and what to report. */
export interface Settled {
  row: MailRecord;
  report: DeliveryReport;
}

/**
 * The one write sequence: copy to held (if so) → the transition and its attempt row, in one batch →
 * the copy to the queue or to poison → the event → the look-up index → the report. A conflict on the
 * write propagates: the caller reads again and decides again.
 */
export async function settle(inv: Invocation, row: MailRecord, s: Settlement): Promise<Settled> {
  const { deps, mail } = inv;
  if (s.copy?.to === 'held') await deps.held.send(mail.input.text);
  const attempt = s.attempt && renumbered(s.attempt, row);
  const next = s.to(row);
  const counted: MailRecord = attempt
    ? {
        ...next,
        attempts: attempt.n,
        lastClientRequestId: attempt.clientRequestId,
        lastRequestId: attempt.requestId ?? next.lastRequestId,
      }
    : next;
  let saved = await inv.write(row, counted, attempt ? [attempt] : [], s.budgetMs);
  if (saved.state === 'sent') deps.crashHook?.('after-record');
  if (s.copy?.to === 'queue') {
    await deps.queue.send(mail.input.text, { visibilityDelaySec: s.copy.delaySec });
  }
  if (s.copy?.to === 'poison') {
    saved = await poisonOnce(inv.ledger, deps.poison, mail.input.text, saved, inv.iso());
  }
  if (s.event) emit(inv, s.event.name, saved, s.event.extra);
  if (s.index) await writeIndex(inv, saved);
  const delaySec = s.copy?.to === 'queue' ? s.copy.delaySec : undefined;
  return { row: saved, report: report(inv, saved, s.outcome, s.code, delaySec) };
}

/**
 * Puts the copy back in the queue to come round again later, without a ledger write: it arrived before
 * its due time, another copy holds the send lease, or the gate held a look-up back.
 */
export async function waitAgain(
  inv: Invocation,
  row: MailRecord,
  delayMs: number,
  why: string,
): Promise<DeliveryReport> {
  const delaySec = queueDelaySec(delayMs);
  await inv.deps.queue.send(inv.mail.input.text, { visibilityDelaySec: delaySec });
  emit(inv, 'Mail.Deferred', row, { why, delaySec });
  return report(inv, row, row.state === 'unknown' ? 'unknown' : 'deferred', why, delaySec);
}

/**
 * Permanent failure is written in two steps, so only the copy that won the ledger write poisons and a
 * crash between them heals: `failed` (no `poisonedAt`) → the original bytes to poison → `poisonedAt`.
 * A copy that finds `failed` without `poisonedAt` poisons again (at worst one extra poison copy,
 * never none).
 */
export async function poisonOnce(
  ledger: LedgerAccess,
  poison: QueueWriter,
  text: string,
  row: MailRecord,
  at: string,
): Promise<MailRecord> {
  if (row.poisonedAt !== undefined) return row;
  await poison.send(text);
  return retryOnConflict(
    row,
    () => ledger.read(row.businessId, row.key),
    async (latest) => {
      if (!latest || latest.state !== 'failed' || latest.poisonedAt !== undefined) return latest ?? row;
      return ledger.update({ ...latest, poisonedAt: at });
    },
  );
}

/**
 * Look-up rows for `trace --client-request-id/--request-id`: best effort, rebuildable from the
 * partition. (The key's own row is its claim, written before the first state row.)
 */
export async function writeIndex(inv: Invocation, row: MailRecord): Promise<void> {
  const ids = new Set<string>();
  const entries: IndexEntry[] = [];
  const add = (kind: IndexEntry['kind'], id: string | undefined) => {
    if (id === undefined || ids.has(`${kind}:${id}`)) return;
    ids.add(`${kind}:${id}`);
    entries.push({ kind, id, businessId: row.businessId, key: row.key });
  };
  for (const a of inv.attempts) {
    add('client-request-id', a.clientRequestId);
    add('request-id', a.requestId);
  }
  add('client-request-id', row.lastClientRequestId);
  add('request-id', row.lastRequestId);
  if (entries.length === 0) return;
  try {
    await inv.deps.ledger.index(entries);
  } catch (e) {
    inv.deps.log.warn('ledger index write failed; trace by businessId still works', {
      key: row.key,
      error: e instanceof Error ? e.name : 'unknown',
    });
  }
}
