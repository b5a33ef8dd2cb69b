import type { AttemptRecord, IndexEntry, MailRecord, NewMailRecord } from '../ports/ledger.js';
import { INVALID_INPUT_PARTITION, LedgerConflictError } from '../ports/ledger.js';
import { backoffMs } from './backoff.js';
import { FailureCode } from '../domain/failure-codes.js';
import type { Decoded } from './decode.js';
import {
  emit,
  iso,
  ledgerCall,
  report,
  save,
  saveOutcome,
  type DeliverDeps,
  type DeliveryReport,
  type IncomingMessage,
  type Run,
} from './delivery-context.js';
import type { FailureReason } from '../domain/failure.js';
import { rawKey } from './idempotency.js';

/** Queue visibility delays stop at 7 days; longer waits hop (the copy re-defers when it arrives early). */
export const MAX_DEFER_SEC = 7 * 24 * 3600 - 60;

/** A wait as a queue visibility delay: whole seconds, at least 1, at most the 7-day hop. */
export const queueDelaySec = (ms: number): number =>
  Math.min(MAX_DEFER_SEC, Math.max(1, Math.ceil(ms / 1000)));

/**
 * Permanent failure, in two steps so that only the copy that wins the ledger write poisons, and a
 * crash between them is healed: the ledger records `failed` with its reason, then the original bytes
 * go to the poison queue, then `poisonedAt` is recorded, then the message is acked. A redelivered
 * copy that finds `failed` without `poisonedAt` poisons it again.
 */
export async function fail(
  run: Run,
  rec: MailRecord,
  reason: FailureReason,
  attempt?: AttemptRecord,
): Promise<DeliveryReport> {
  const apply = (r: MailRecord): MailRecord => ({
    ...r,
    state: 'failed',
    reason,
    poisonedAt: undefined,
    lastSeen: iso(run.serverTime),
    lease: undefined,
  });
  const failed = attempt ? await saveOutcome(run, apply(rec), attempt, apply) : await save(run, apply(rec));
  const saved = await poisonOnce(run.deps, run.input.text, failed);
  emit(run, 'Mail.Failed', saved, failureDimensions(reason));
  await indexOutcome(run, saved);
  return report(run, saved, 'failed', reason.code);
}

/** The original bytes to the poison queue, then `poisonedAt` on the (failed) row. */
export async function poisonOnce(deps: DeliverDeps, text: string, rec: MailRecord): Promise<MailRecord> {
  if (rec.poisonedAt !== undefined) return rec;
  await deps.poison.send(text);
  let current = rec;
  for (let round = 0; ; round++) {
    try {
      const result = await ledgerCall(deps, () =>
        deps.ledger.update({ ...current, poisonedAt: new Date(deps.clock.now()).toISOString() }),
      );
      return result.value;
    } catch (e) {
      if (!(e instanceof LedgerConflictError) || round >= 5) throw e;
      const latest = await ledgerCall(deps, () => deps.ledger.read(current.businessId, current.key));
      if (!latest.value || latest.value.poisonedAt !== undefined) return latest.value ?? current;
      current = latest.value;
    }
  }
}

/**
 * Deferral: the original bytes re-enqueued unchanged with a visibility delay (jittered so a pause's end
 * is no stampede; never-expiring), the ledger updated, the invocation completed.
 */
export async function defer(
  run: Run,
  rec: MailRecord,
  delayMs: number,
  why: string,
  attempt?: AttemptRecord,
  reason?: FailureReason,
): Promise<DeliveryReport> {
  const { deps } = run;
  const jittered = delayMs + Math.min(60_000, delayMs * 0.2) * deps.random();
  const delaySec = queueDelaySec(jittered);
  // Ledger first: if another copy changed the row meanwhile, no stray copy is left in the queue. If the
  // enqueue then fails, the original comes back, finds `deferred` with `nextAttemptAt`, and re-queues.
  const apply = (r: MailRecord): MailRecord => ({
    ...r,
    state: 'deferred',
    deferredFor: why,
    deferrals: r.deferrals + 1,
    nextAttemptAt: iso(run.serverTime + delaySec * 1000),
    lastSeen: iso(run.serverTime),
    lease: undefined,
    reason,
  });
  const saved = attempt ? await saveOutcome(run, apply(rec), attempt, apply) : await save(run, apply(rec));
  await deps.queue.send(run.input.text, { visibilityDelaySec: delaySec });
  emit(run, 'Mail.Deferred', saved, { why, delaySec, ...(reason ? failureDimensions(reason) : {}) });
  const r = report(run, saved, 'deferred', reason?.code ?? why);
  r.delaySec = delaySec;
  return r;
}

/**
 * Puts the copy back in the queue to come round again later, without a ledger write: a copy that
 * arrived before its deferral was due (a hop, or a duplicate copy), or a look-up the gate held back.
 */
export async function waitAgain(
  run: Run,
  rec: MailRecord,
  dueInMs: number,
  why: string,
): Promise<DeliveryReport> {
  const delaySec = queueDelaySec(dueInMs);
  await run.deps.queue.send(run.input.text, { visibilityDelaySec: delaySec });
  emit(run, 'Mail.Deferred', rec, { why, delaySec });
  const r = report(run, rec, rec.state === 'unknown' ? 'unknown' : 'deferred', why);
  r.delaySec = delaySec;
  return r;
}

/**
 * Holds an unknown outcome for an operator: the original bytes go to `<queue>-held` (never expiring),
 * then the ledger records `unknown` with `heldAt`, then the message is acked. `hr-courier resolve`
 * settles it (--sent, or --resend, which moves the bytes back to the queue).
 */
export async function park(
  run: Run,
  rec: MailRecord,
  reason: FailureReason,
  attempt?: AttemptRecord,
): Promise<DeliveryReport> {
  await run.deps.held.send(run.input.text);
  const apply = (r: MailRecord): MailRecord => ({
    ...r,
    state: 'unknown',
    reason,
    unknownSince: r.unknownSince ?? rec.unknownSince ?? iso(run.serverTime),
    heldAt: iso(run.serverTime),
    lastSeen: iso(run.serverTime),
    nextAttemptAt: undefined,
    lease: undefined,
  });
  const saved = attempt ? await saveOutcome(run, apply(rec), attempt, apply) : await save(run, apply(rec));
  emit(run, 'Mail.Unknown', saved, {
    ...failureDimensions(reason),
    policy: run.deps.settings.onUnknown,
    held: true,
  });
  await indexOutcome(run, saved);
  return report(run, saved, 'unknown', reason.code);
}

/** The key is settled (sent, failed, expired or held unknown): acknowledge without doing anything again. */
export async function duplicate(run: Run, rec: MailRecord): Promise<DeliveryReport> {
  emit(run, 'Mail.Duplicate', rec);
  // The copy that settled the key may have died between its ledger write and its index write (the
  // message came back because it was never acked): index again, so `trace --key` still finds it.
  await writeIndex(run, rec, [
    ...(rec.lastClientRequestId ? [{ kind: 'client-request-id' as const, id: rec.lastClientRequestId }] : []),
    ...(rec.lastRequestId ? [{ kind: 'request-id' as const, id: rec.lastRequestId }] : []),
  ]);
  return report(run, rec, 'duplicate', rec.reason?.code);
}

export async function expire(run: Run, rec: MailRecord): Promise<DeliveryReport> {
  const saved = await save(run, {
    ...rec,
    state: 'expired',
    lastSeen: iso(run.serverTime),
    reason: {
      code: FailureCode.Expired,
      detail: 'expiresAt passed before the message could be sent; it was not sent',
    },
  });
  emit(run, 'Mail.Expired', saved, { code: FailureCode.Expired });
  await indexOutcome(run, saved);
  return report(run, saved, 'expired', FailureCode.Expired);
}

/** Graph accepted the mail: the evidence event goes out first, then the ledger write is retried until it lands. */
export async function recordSent(
  run: Run,
  rec: MailRecord,
  attempt: AttemptRecord,
  verified = false,
): Promise<DeliveryReport> {
  emit(run, 'Mail.Sent', { ...rec, state: 'sent' }, verified ? { verified } : {});
  run.deps.crashHook?.('after-send');
  const apply = (r: MailRecord): MailRecord => ({
    ...r,
    state: 'sent',
    // A verified send happened when the POST did, not when the look-up found it.
    sentAt: verified
      ? (r.unknownSince ?? iso(run.serverTime))
      : attempt.date
        ? iso(Date.parse(attempt.date))
        : iso(run.serverTime),
    lastSeen: iso(run.serverTime),
    lastClientRequestId: attempt.clientRequestId,
    lastRequestId: attempt.requestId,
    lease: undefined,
    nextAttemptAt: undefined,
    reason: undefined,
  });
  // Graph accepted the mail: this write is evidence, and it keeps being retried for longer.
  const saved = await saveOutcome(run, apply(rec), attempt, apply, run.deps.settings.sentRecordBudgetMs);
  run.deps.crashHook?.('after-record');
  await indexOutcome(run, saved);
  return report(run, saved, 'sent');
}

/** The same key with a different payload: never acked as a duplicate, never sent. Filed beside the key. */
export async function rejectConflict(run: Run, existing: MailRecord): Promise<DeliveryReport> {
  // `!` never occurs in a key (given keys are [A-Za-z0-9._:-], derived ones hex), so this row is
  // beside the original's and can collide with nothing.
  const conflictKey = `${run.key}!c${run.hash.slice(0, 16)}`;
  const reason: FailureReason = {
    code: FailureCode.KeyConflict,
    detail: `idempotency key was first used for a different message (payload ${existing.payloadHash.slice(0, 12)}…, this one ${run.hash.slice(0, 12)}…); this message was not sent`,
  };
  const now = iso(run.serverTime);
  const inserted = await insertOnce(run.deps, {
    ...baseRecord(run.m.businessId, conflictKey, 'conflict', run.hash, now),
    state: 'failed',
    intent: run.m.intent,
    template: run.m.template,
    sender: run.m.sender.toLowerCase(),
    reason,
  });
  const rec = await poisonOnce(run.deps, run.input.text, inserted);
  emit(run, 'Mail.Failed', rec, { ...failureDimensions(reason), conflictKey });
  return report(run, rec, 'failed', FailureCode.KeyConflict);
}

/** Input that never became a message (not JSON, wrong shape, too large): poison + a `raw-` ledger row. */
export async function rejectUndecodable(
  deps: DeliverDeps,
  input: IncomingMessage,
  decoded: Extract<Decoded, { ok: false }>,
  serverTime: number,
): Promise<DeliveryReport> {
  const businessId = decoded.businessId ?? INVALID_INPUT_PARTITION;
  const key = rawKey(input.text);
  const now = iso(serverTime);
  const inserted = await insertOnce(deps, {
    ...baseRecord(businessId, key, 'raw', key.slice(4), now),
    state: 'failed',
    reason: decoded.reason,
  });
  const rec = await poisonOnce(deps, input.text, inserted);
  const props = { key, businessId, dequeueCount: input.dequeueCount, queueMessageId: input.id };
  deps.telemetry.event('Mail.Failed', { ...props, ...failureDimensions(decoded.reason) });
  deps.log.info('Mail.Failed', { ...props, code: decoded.reason.code });
  return {
    outcome: 'failed',
    state: 'failed',
    businessId,
    key,
    code: decoded.reason.code,
    attempts: rec.attempts,
  };
}

export function baseRecord(
  businessId: string,
  key: string,
  keySource: NewMailRecord['keySource'],
  payloadHash: string,
  now: string,
): NewMailRecord {
  return {
    businessId,
    key,
    keySource,
    payloadHash,
    state: 'received',
    recipientCount: 0,
    recipientDomains: [],
    attachmentCount: 0,
    deliveries: 1,
    attempts: 0,
    deferrals: 0,
    verifications: 0,
    firstSeen: now,
    lastSeen: now,
  };
}

/** Inserts a record that, once written, never changes; a second copy of the same input finds it there. */
async function insertOnce(deps: DeliverDeps, rec: NewMailRecord): Promise<MailRecord> {
  try {
    return (await ledgerCall(deps, () => deps.ledger.insert(rec))).value;
  } catch (e) {
    if (!(e instanceof LedgerConflictError)) throw e;
    const existing = await ledgerCall(deps, () => deps.ledger.read(rec.businessId, rec.key));
    if (!existing.value) throw e;
    return existing.value;
  }
}

export function failureDimensions(reason: FailureReason) {
  return {
    code: reason.code,
    graphCode: reason.graphCode,
    status: reason.status,
    fieldPaths: reason.fieldPaths?.join(','),
  };
}

/** Look-up rows for `trace --key/--client-request-id/--request-id`: best effort, rebuildable from the partition. */
async function indexOutcome(run: Run, rec: MailRecord): Promise<void> {
  await writeIndex(
    run,
    rec,
    run.attemptsThisRun.flatMap((a) => [
      { kind: 'client-request-id' as const, id: a.clientRequestId },
      ...(a.requestId ? [{ kind: 'request-id' as const, id: a.requestId }] : []),
    ]),
  );
}

async function writeIndex(
  run: Run,
  rec: MailRecord,
  ids: { kind: IndexEntry['kind']; id: string }[],
): Promise<void> {
  const entries: IndexEntry[] = [{ kind: 'key', id: rec.key, businessId: rec.businessId, key: rec.key }];
  for (const { kind, id } of ids) entries.push({ kind, id, businessId: rec.businessId, key: rec.key });
  try {
    await run.deps.ledger.index(entries);
  } catch (e) {
    run.deps.log.warn('ledger index write failed; trace by businessId still works', {
      key: rec.key,
      error: e instanceof Error ? e.name : 'unknown',
    });
  }
}

/** Transient-failure pause inside the invocation: 2/4/8 s with jitter. */
export function transientPauseMs(retry: number, deps: DeliverDeps): number {
  return backoffMs(retry, 2_000, 8_000, deps.random) / deps.settings.timeScale;
}
