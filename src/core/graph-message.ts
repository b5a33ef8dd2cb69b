import {
  HR_COURIER_KEY_PROPERTY_ID,
  type GraphFileAttachment,
  type GraphMessage,
  type GraphRecipient,
} from '../ports/graph.js';
import type { RenderedMail } from '../ports/templates.js';
import { FailureCode } from '../domain/failure-codes.js';
import type { HrMailMessage, Recipient } from './contract.js';
import { permanent } from '../domain/failure.js';

/** Graph caps a request at about 4 MB; base64 adds a third, so files get ~3 MB. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const MAX_ATTACHMENT_BYTES_TOTAL = 3 * 1024 * 1024;

export interface LoadedAttachment {
  name: string;
  contentType: string;
  /** Base64 content, from the message or read from the claim-check blob. */
  contentBytes: string;
}

const toRecipient = (r: Recipient): GraphRecipient =>
  r.name === undefined
    ? { emailAddress: { address: r.address } }
    : { emailAddress: { address: r.address, name: r.name } };

/**
 * The `sendMail` body for one message: rendered content, recipients, the trace headers
 * (X-Trace-Intent, X-Business-Id, then the producer's — five at most, as Graph allows), and the
 * HrCourierKey extended property that a later look-up can find the mail by.
 */
export function buildGraphMessage(
  m: HrMailMessage,
  rendered: RenderedMail,
  attachments: LoadedAttachment[],
  key: string,
): { message: GraphMessage; saveToSentItems: boolean } {
  const message: GraphMessage = {
    subject: rendered.subject,
    body: { contentType: 'HTML', content: rendered.html },
    toRecipients: m.to.map(toRecipient),
    importance: m.importance,
    internetMessageHeaders: [
      { name: 'X-Trace-Intent', value: m.intent },
      { name: 'X-Business-Id', value: m.businessId },
      ...Object.entries(m.headers).map(([name, value]) => ({ name, value })),
    ],
    singleValueExtendedProperties: [{ id: HR_COURIER_KEY_PROPERTY_ID, value: key }],
  };
  if (m.cc.length > 0) message.ccRecipients = m.cc.map(toRecipient);
  if (m.bcc.length > 0) message.bccRecipients = m.bcc.map(toRecipient);
  if (m.replyTo.length > 0) message.replyTo = m.replyTo.map(toRecipient);
  if (attachments.length > 0) {
    message.attachments = attachments.map((a): GraphFileAttachment => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: a.name,
      contentType: a.contentType,
      contentBytes: a.contentBytes,
    }));
  }
  const body = { message, saveToSentItems: m.saveToSentItems };
  const size = Buffer.byteLength(JSON.stringify(body), 'utf8');
  if (size > MAX_REQUEST_BYTES) {
    throw permanent(
      FailureCode.TooLarge,
      `the sendMail request would be ${size} bytes; Graph accepts at most ${MAX_REQUEST_BYTES} (use fewer or smaller attachments)`,
    );
  }
  return body;
}
