import type { GraphMessage } from '../../ports/graph.js';
import { FailureCode } from '../../domain/failure-codes.js';
import { isPermanentDeliveryError, permanent, type FailureReason } from '../../domain/failure.js';
import { loadAttachments } from '../attachments.js';
import { buildGraphMessage } from '../graph-message.js';
import { isVerifyPolicy } from './decide.js';
import type { DeliverDeps, Mail } from './types.js';

export type Prepared =
  | { ok: true; body: { message: GraphMessage; saveToSentItems: boolean }; templateVersion: string }
  | { ok: false; reason: FailureReason };

/**
 * Everything the send needs, before any ledger write: the allow-list (the mirror of the Exchange fence,
 * so a denied sender never reaches Graph), the template rendered, the attachments loaded, the Graph
 * message built. Any failure here is permanent: the message can never succeed as it is.
 */
export async function prepare(deps: DeliverDeps, mail: Mail): Promise<Prepared> {
  const { message } = mail;
  try {
    if (isVerifyPolicy(deps.settings.onUnknown) && !message.saveToSentItems) {
      throw permanent(
        FailureCode.InvalidMessage,
        `saveToSentItems must be true when HR_COURIER_ON_UNKNOWN is ${deps.settings.onUnknown}: the look-up finds mail in the sender's folders`,
        { fieldPaths: ['saveToSentItems'] },
      );
    }
    if (!deps.settings.allowedSenders.has(mail.sender)) {
      throw permanent(
        FailureCode.PolicyDenied,
        `sender ${mail.sender} is not in HR_COURIER_ALLOWED_SENDERS; Graph was not called`,
        { fieldPaths: ['sender'] },
      );
    }
    const rendered = deps.templates.render({
      template: message.template,
      data: message.data,
      ...(message.templateVersion === undefined ? {} : { version: message.templateVersion }),
    });
    const attachments = await loadAttachments(message, deps.attachments);
    const body = buildGraphMessage(message, rendered, attachments, mail.key);
    return { ok: true, body, templateVersion: rendered.version };
  } catch (e) {
    if (isPermanentDeliveryError(e)) return { ok: false, reason: e.reason };
    throw e;
  }
}
