import { LedgerUnavailableError, type MailRecord } from '../../ports/ledger.js';
import { decodeMessage } from '../decode.js';
import { keyOf, payloadHash, recipientDomains } from '../idempotency.js';
import { decide, type Decision } from './decide.js';
import { emit, report } from './events.js';
import { createInvocation, type Invocation } from './invocation.js';
import { retryOnConflict } from './ledger-access.js';
import { deferred, expired, failed } from './outcomes.js';
import { newRow, rejectKeyConflict, rejectUndecodable } from './reject.js';
import { prepareAndSend } from './send.js';
import { poisonOnce, settle, waitAgain, writeIndex, type Settled } from './settle.js';
import type { DeliverDeps, DeliveryReport, IncomingMessage, Mail } from './types.js';
import { unknownOutcome } from './unknown.js';
import { verify } from './verify.js';

export type Deliver = (input: IncomingMessage) => Promise<DeliveryReport>;

/**
 * The flow of one queue message, top to bottom (docs/architecture.md §1): decode → read the key's row →
 * decide → act (prepare and attempt, verify, or settle) — and, when another copy changed the row
 * first, read and decide again. Returns when the message may be acked (its outcome is in the ledger);
 * throws when it must not be (the host retries it later).
 */
export function createDeliver(deps: DeliverDeps): Deliver {
  return async function deliver(input: IncomingMessage): Promise<DeliveryReport> {
    const decoded = decodeMessage(input.text);
    if (!decoded.ok) return rejectUndecodable(deps, input, decoded);
    const { message } = decoded;
    const { key, source } = keyOf(message);
    const mail: Mail = {
      input,
      message,
      key,
      keySource: source,
      hash: payloadHash(decoded.parsed),
      sender: message.sender.toLowerCase(),
    };
    const inv = createInvocation(deps, mail);
    const read = () => inv.ledger.read(message.businessId, key);
    try {
      const settled = await retryOnConflict(await read(), read, (row) => act(inv, row));
      return settled.report;
    } catch (e) {
      await noteFailure(inv, e);
      throw e;
    }
  };
}

/** One decision on the row as read, and the step it names. */
async function act(inv: Invocation, row: MailRecord | undefined): Promise<Settled> {
  const { mail } = inv;
  const decision = decide(
    {
      hash: mail.hash,
      ...(mail.message.notBefore === undefined ? {} : { notBefore: mail.message.notBefore }),
      ...(mail.message.expiresAt === undefined ? {} : { expiresAt: mail.message.expiresAt }),
    },
    row,
    inv.clock.now(),
    inv.deps.settings,
  );
  if (row === undefined || decision.kind === 'new') return first(inv);
  return follow(inv, row, decision);
}

async function follow(inv: Invocation, row: MailRecord, decision: Decision): Promise<Settled> {
  switch (decision.kind) {
    case 'new':
      return first(inv);
    case 'unknown-resend':
      emit(inv, 'Mail.Unknown', row, { code: decision.reason.code, policy: 'resend' });
      return follow(inv, row, decision.next);
    case 'key-conflict':
      return rejectKeyConflict(inv, row.payloadHash);
    case 'duplicate':
      return duplicate(inv, row);
    case 'wait':
      return { row, report: await waitAgain(inv, row, decision.delayMs, decision.why) };
    case 'verify':
      return verify(inv, row);
    case 'unknown':
      return settle(inv, row, unknownOutcome(inv, row, decision.reason));
    case 'expire':
      return settle(inv, row, expired());
    case 'defer':
      return settle(inv, row, deferred(inv, decision.delayMs, decision.why));
    case 'fail':
      return settle(inv, row, failed(decision.reason));
    case 'send':
      return prepareAndSend(inv, row);
  }
}

/**
 * The key's first copy: claim the key for this businessId (the claim is the authority on a key's
 * scope — another businessId's claim means another email: KeyConflict), then insert its row and
 * decide on it. An insert that meets a row another copy wrote first is a conflict: decide again.
 */
async function first(inv: Invocation): Promise<Settled> {
  const { mail } = inv;
  const { message } = mail;
  const claim = await inv.ledger.claim({ key: mail.key, businessId: message.businessId });
  if (claim.businessId !== message.businessId) return rejectKeyConflict(inv);
  const inserted = await inv.ledger.insert({
    ...newRow(message.businessId, mail.key, mail.keySource, mail.hash, inv.iso()),
    intent: message.intent,
    template: message.template,
    sender: mail.sender,
    recipientCount: message.to.length + message.cc.length + message.bcc.length,
    recipientDomains: recipientDomains(message),
    attachmentCount: message.attachments.length,
    ...(message.templateVersion === undefined ? {} : { templateVersion: message.templateVersion }),
    ...(message.correlationId === undefined ? {} : { correlationId: message.correlationId }),
    ...(message.notBefore === undefined ? {} : { notBefore: message.notBefore }),
    ...(message.expiresAt === undefined ? {} : { expiresAt: message.expiresAt }),
  });
  inv.markCounted();
  return act(inv, inserted);
}

/** The key is settled (sent, failed, expired or held unknown): acknowledge without doing anything again. */
async function duplicate(inv: Invocation, row: MailRecord): Promise<Settled> {
  // A crash between recording the failure and poisoning: finish the job, then ack.
  const settled =
    row.state === 'failed'
      ? await poisonOnce(inv.ledger, inv.deps.poison, inv.mail.input.text, row, inv.iso())
      : row;
  emit(inv, 'Mail.Duplicate', settled);
  // The copy that settled the key may have died between its ledger write and its index write (the
  // message came back because it was never acked): index again, so `trace` still finds its ids.
  await writeIndex(inv, settled);
  return { row: settled, report: report(inv, settled, 'duplicate', settled.reason?.code) };
}

/**
 * The invocation is about to fail and the host will retry (and poison after maxDequeueCount): leave
 * the error's name on the key's row, best effort, so even a host-poisoned message is explainable.
 */
async function noteFailure(inv: Invocation, e: unknown): Promise<void> {
  const { deps, mail } = inv;
  const name = e instanceof Error ? e.name : typeof e;
  deps.log.error('delivery failed; the host will retry', {
    key: mail.key,
    businessId: mail.message.businessId,
    error: name,
  });
  if (e instanceof LedgerUnavailableError) return; // nothing can be written now anyway
  const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? `:${e.code}` : '';
  try {
    const { value } = await deps.ledger.read(mail.message.businessId, mail.key);
    if (value)
      await deps.ledger.update({ ...value, lastError: `${name}${code}`.slice(0, 200), lastSeen: inv.iso() });
  } catch {
    // Best effort only: the original error is what the host must see.
  }
}
