import type { Clock } from '../ports/clock.js';
import type { Ledger, MailRecord } from '../ports/ledger.js';
import type { QueueConsumer, QueueWriter, ReceivedMessage } from '../ports/queue.js';
import type { Telemetry } from '../ports/telemetry.js';
import { decodeMessage } from './decode.js';
import { keyOf, payloadHash } from './idempotency.js';

export interface ResolveDeps {
  ledger: Ledger;
  /** `<queue>-held`, where unknown outcomes' original bytes wait. */
  held: QueueConsumer;
  /** The main queue: a `--resend` puts the original bytes back here. */
  queue: QueueWriter;
  telemetry: Telemetry;
  clock: Clock;
}

export interface ResolveRequest {
  key: string;
  decision: 'sent' | 'resend';
  reason: string;
  by: string;
}

export interface ResolveResult {
  businessId: string;
  key: string;
  decision: 'sent' | 'resend';
  state: MailRecord['state'];
  /** Copies of the original removed from `<queue>-held` (and, for resend, one put back on the queue). */
  heldCopies: number;
}

export class ResolveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolveError';
  }
}

/**
 * `hr-courier resolve`: an operator settles an unknown outcome. `sent` records that the mail went out
 * (e.g. found in Sent Items, or confirmed by the recipient); `resend` reopens the key and puts the held
 * original back on the queue, so it is sent again with the same key. Either way the decision, the
 * reason and who decided are written to the ledger.
 */
export async function resolveUnknown(deps: ResolveDeps, request: ResolveRequest): Promise<ResolveResult> {
  const hit = await deps.ledger.lookup('key', request.key);
  if (!hit) throw new ResolveError(`no ledger entry for key ${request.key}`);
  const { value: rec } = await deps.ledger.read(hit.businessId, hit.key);
  if (!rec) throw new ResolveError(`no ledger entry for key ${request.key}`);
  // A resend whose queue move was interrupted may be finished by running it again.
  const unfinishedResend =
    request.decision === 'resend' && rec.state === 'received' && rec.resolution?.decision === 'resend';
  if (rec.state !== 'unknown' && !unfinishedResend) {
    throw new ResolveError(`key ${request.key} is ${rec.state}, not unknown: there is nothing to resolve`);
  }

  const { matching, release } = await findHeldCopies(deps.held, rec);
  try {
    const [original] = matching;
    if (request.decision === 'resend' && !original) {
      throw new ResolveError(
        `no copy of key ${request.key} is waiting in the held queue; re-enqueue the original message, then resolve again`,
      );
    }
    const at = new Date(deps.clock.now()).toISOString();
    const resolution = { decision: request.decision, reason: request.reason, by: request.by, at };
    const settled: MailRecord =
      request.decision === 'sent'
        ? {
            ...rec,
            state: 'sent',
            sentAt: rec.sentAt ?? rec.unknownSince ?? at,
            heldAt: undefined,
            resolution,
          }
        : {
            ...rec,
            state: 'received',
            heldAt: undefined,
            nextAttemptAt: undefined,
            lease: undefined,
            resolution,
          };
    const saved = unfinishedResend ? rec : (await deps.ledger.update(settled)).value;
    if (request.decision === 'resend' && original) await deps.queue.send(original.text);
    for (const copy of matching) await deps.held.delete(copy);
    deps.telemetry.event('Mail.Resolved', {
      key: rec.key,
      businessId: rec.businessId,
      decision: request.decision,
      sender: rec.sender,
      intent: rec.intent,
      template: rec.template,
    });
    return {
      businessId: rec.businessId,
      key: rec.key,
      decision: request.decision,
      state: saved.state,
      heldCopies: matching.length,
    };
  } finally {
    await release();
  }
}

/**
 * Looks through the held queue for copies of this key with this payload. Other messages stay
 * invisible during the scan (so each is seen once) and are made visible again at the end.
 */
async function findHeldCopies(
  held: QueueConsumer,
  rec: MailRecord,
): Promise<{ matching: ReceivedMessage[]; release: () => Promise<void> }> {
  const matching: ReceivedMessage[] = [];
  const others: ReceivedMessage[] = [];
  for (;;) {
    const batch = await held.receive(32, 120);
    if (batch.length === 0) break;
    for (const m of batch) {
      const d = decodeMessage(m.text);
      const same =
        d.ok &&
        d.message.businessId === rec.businessId &&
        keyOf(d.message).key === rec.key &&
        payloadHash(d.parsed) === rec.payloadHash;
      (same ? matching : others).push(m);
    }
  }
  return {
    matching,
    release: async () => {
      for (const m of others) await held.release(m, 0);
    },
  };
}
