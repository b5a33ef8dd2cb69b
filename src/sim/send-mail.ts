import type { Ids } from '../ports/clock.js';
import { respondError } from './graph-responses.js';
import { recipientCount } from './mail-model.js';
import { hrCourierKeyOf, type MailStore } from './mail-store.js';
import { writeToOutbox } from './outbox.js';
import type { SimContext } from './pipeline.js';
import { validateSendMail } from './send-mail-validation.js';
import type { SendingLimits } from './sending-limits.js';
import type { AcceptedMail } from './types.js';

export interface SendMailDeps {
  store: MailStore;
  outboxDir: string;
  maxRecipients: number;
  /** Exchange's per-mailbox rate and recipient budget, applied to every accepted mail. */
  limits: SendingLimits;
  now: () => number;
  ids: Ids;
}

/**
 * `POST /users/{id}/sendMail` once the caller is authenticated and the mailbox found: validate,
 * then accept — write the outbox files, weigh it against Exchange's sending limits, remember the
 * message for look-ups, count its key, mark `ctx.accepted` — and answer 202 with an empty body.
 */
export async function sendMail(ctx: SimContext, deps: SendMailDeps): Promise<void> {
  const mailbox = ctx.mailbox ?? '';
  const result = validateSendMail(ctx.request.body, mailbox, { maxRecipients: deps.maxRecipients });
  if (!result.ok) {
    respondError(ctx, result.error, deps.now());
    return;
  }
  const { mail } = result;
  const acceptedAt = deps.now();
  const key = hrCourierKeyOf(mail);
  const domain = mailbox.split('@')[1] ?? 'simulator.invalid';
  const internetMessageId = `<${deps.ids.uuid().replace(/-/g, '').toUpperCase()}@${domain}>`;
  const files = await writeToOutbox(deps.outboxDir, {
    mail,
    mailbox,
    requestId: ctx.requestId,
    internetMessageId,
    acceptedAt,
    ...(key === undefined ? {} : { key }),
  });
  const recipients = recipientCount(mail);
  const verdict = deps.limits.admit(mailbox, recipients, acceptedAt);
  const record: AcceptedMail = {
    sender: mailbox,
    requestId: ctx.requestId,
    emlPath: files.emlPath,
    htmlPath: files.htmlPath,
    acceptedAt: new Date(acceptedAt).toISOString(),
    recipientCount: recipients,
    saveToSentItems: mail.saveToSentItems,
    overRate: verdict.overRate,
    overBudget: verdict.overBudget,
  };
  if (key !== undefined) record.key = key;
  if (ctx.clientRequestIdSent) record.clientRequestId = ctx.clientRequestId;
  deps.store.add({
    id: `AAMkSimMsg${Buffer.from(deps.ids.uuid().replace(/-/g, ''), 'hex').toString('base64url')}`,
    mailbox,
    acceptedAt,
    internetMessageId,
    mail,
    record,
  });
  ctx.accepted = record;
  // Graph's 202 has no body. The JSON content type is kept on purpose: a client that parses every
  // answer as JSON then fails here, as reported against Graph in msgraph-sdk-javascript#156.
  ctx.response = { status: 202, headers: { 'content-type': 'application/json' }, body: '' };
}
