import { INVALID_INPUT_PARTITION, type NewMailRecord } from '../../ports/ledger.js';
import { FailureCode } from '../../domain/failure-codes.js';
import type { FailureReason } from '../../domain/failure.js';
import type { Decoded } from '../decode.js';
import { rawKey } from '../idempotency.js';
import { emit, failureDimensions, report } from './events.js';
import type { Invocation } from './invocation.js';
import { poisonOnce, type Settled } from './settle.js';
import type { DeliverDeps, DeliveryReport, IncomingMessage } from './types.js';
import { createLedgerAccess } from './ledger-access.js';
import { createServerClock } from './server-clock.js';

/** A row every kind of record starts from. */
export function newRow(
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

/**
 * The key identifies another email: one with another payload under this businessId, or any message
 * under another businessId (the key's claim names it). Never sent, never acked as a duplicate: a
 * `failed` row filed under this message's businessId, beside the key, and the original bytes in poison.
 */
export async function rejectKeyConflict(inv: Invocation, firstHash?: string): Promise<Settled> {
  const { mail } = inv;
  // `!` never occurs in a key (given keys are [A-Za-z0-9._:-], derived ones hex), so this row is
  // beside the original's and can collide with nothing.
  const conflictKey = `${mail.key}!c${mail.hash.slice(0, 16)}`;
  const reason: FailureReason = {
    code: FailureCode.KeyConflict,
    detail:
      firstHash === undefined
        ? 'idempotency key was first used under another businessId; a key identifies one email across the ledger, so this message was not sent'
        : `idempotency key was first used for a different message (payload ${firstHash.slice(0, 12)}…, this one ${mail.hash.slice(0, 12)}…); this message was not sent`,
    fieldPaths: firstHash === undefined ? ['idempotencyKey', 'businessId'] : ['idempotencyKey'],
  };
  const inserted = await inv.ledger.insertOnce({
    ...newRow(mail.message.businessId, conflictKey, 'conflict', mail.hash, inv.iso()),
    state: 'failed',
    intent: mail.message.intent,
    template: mail.message.template,
    sender: mail.sender,
    reason,
  });
  const row = await poisonOnce(inv.ledger, inv.deps.poison, mail.input.text, inserted, inv.iso());
  emit(inv, 'Mail.Failed', row, { ...failureDimensions(reason), conflictKey });
  return { row, report: report(inv, row, 'failed', FailureCode.KeyConflict) };
}

/** Input that never became a message (not JSON, wrong shape, too large): poison + a `raw-` ledger row. */
export async function rejectUndecodable(
  deps: DeliverDeps,
  input: IncomingMessage,
  decoded: Extract<Decoded, { ok: false }>,
): Promise<DeliveryReport> {
  const businessId = decoded.businessId ?? INVALID_INPUT_PARTITION;
  const key = rawKey(input.text);
  const clock = createServerClock(deps.clock);
  const ledger = createLedgerAccess(deps, clock);
  const inserted = await ledger.insertOnce({
    ...newRow(businessId, key, 'raw', key.slice(4), new Date(clock.now()).toISOString()),
    state: 'failed',
    reason: decoded.reason,
  });
  const at = new Date(clock.now()).toISOString();
  const row = await poisonOnce(ledger, deps.poison, input.text, inserted, at);
  const props = { key, businessId, dequeueCount: input.dequeueCount, queueMessageId: input.id };
  deps.telemetry.event('Mail.Failed', { ...props, ...failureDimensions(decoded.reason) });
  deps.log.info('Mail.Failed', { ...props, code: decoded.reason.code });
  return {
    outcome: 'failed',
    state: 'failed',
    businessId,
    key,
    code: decoded.reason.code,
    attempts: row.attempts,
  };
}
