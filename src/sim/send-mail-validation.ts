import type { GraphError } from './graph-responses.js';
import {
  bodyRead,
  GraphRejection,
  isObject,
  optionalArray,
  optionalBoolean,
  optionalEnum,
  optionalObject,
  optionalString,
  reject,
  rejectUnknownProperties,
  type JsonObject,
} from './json-shape.js';
import type { MailAddress, MailAttachment, ParsedMail } from './mail-model.js';

/** Graph allows at most this many `internetMessageHeaders` on one message. */
export const MAX_INTERNET_HEADERS = 5;

const SEND_MAIL_PARAMETERS = new Set(['message', 'saveToSentItems']);

/** The properties of Graph's `message` resource (v1.0); anything else is refused. */
// prettier-ignore
const MESSAGE_PROPERTIES = new Set([
  'id', 'categories', 'changeKey', 'createdDateTime', 'lastModifiedDateTime', 'bccRecipients', 'body',
  'bodyPreview', 'ccRecipients', 'conversationId', 'conversationIndex', 'flag', 'from', 'hasAttachments',
  'importance', 'inferenceClassification', 'internetMessageHeaders', 'internetMessageId',
  'isDeliveryReceiptRequested', 'isDraft', 'isRead', 'isReadReceiptRequested', 'parentFolderId',
  'receivedDateTime', 'replyTo', 'sender', 'sentDateTime', 'subject', 'toRecipients', 'uniqueBody',
  'webLink', 'attachments', 'extensions', 'multiValueExtendedProperties', 'singleValueExtendedProperties',
]);

const FILE_ATTACHMENT = '#microsoft.graph.fileAttachment';
/** A pragmatic address check: one @, no spaces or brackets, a dotted domain of DNS labels. */
const ADDRESS =
  /^[^\s@<>()[\],;:"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type SendMailValidation = { ok: true; mail: ParsedMail } | { ok: false; error: GraphError };

/**
 * Validates a sendMail body for the mailbox in the URL the way Graph and Exchange do, in the same
 * order of precedence, with Graph's codes and wording.
 */
export function validateSendMail(
  body: Buffer,
  mailbox: string,
  limits: { maxRecipients: number },
): SendMailValidation {
  try {
    return { ok: true, mail: parseSendMail(body, mailbox, limits) };
  } catch (e) {
    if (e instanceof GraphRejection) return { ok: false, error: e.error };
    throw e;
  }
}

function parseSendMail(body: Buffer, mailbox: string, limits: { maxRecipients: number }): ParsedMail {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    bodyRead(
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  if (!isObject(json)) bodyRead('The request payload must be a JSON object.');
  for (const name of Object.keys(json)) {
    if (!name.startsWith('@') && !SEND_MAIL_PARAMETERS.has(name)) {
      bodyRead(
        `The parameter '${name}' in the request payload is not a valid parameter for the operation 'sendMail'.`,
      );
    }
  }
  const saveToSentItems = optionalBoolean(json, 'saveToSentItems') ?? true;
  const message = optionalObject(json, 'message');
  if (!message) reject(400, 'ErrorInvalidParameter', "The value of the parameter 'Message' is empty.");
  rejectUnknownProperties(message, MESSAGE_PROPERTIES, 'microsoft.graph.message');

  const messageBody = optionalObject(message, 'body');
  const mail: ParsedMail = {
    subject: optionalString(message, 'subject') ?? '',
    bodyType: (messageBody && optionalEnum(messageBody, 'contentType', ['text', 'html'] as const)) ?? 'text',
    bodyContent: (messageBody && optionalString(messageBody, 'content')) ?? '',
    to: recipients(message, 'toRecipients'),
    cc: recipients(message, 'ccRecipients'),
    bcc: recipients(message, 'bccRecipients'),
    replyTo: recipients(message, 'replyTo'),
    from: singleRecipient(message, 'from'),
    sender: singleRecipient(message, 'sender'),
    importance: optionalEnum(message, 'importance', ['low', 'normal', 'high'] as const) ?? 'normal',
    headers: internetMessageHeaders(message),
    extendedProperties: extendedProperties(message),
    attachments: [],
    saveToSentItems,
  };

  checkRecipients(mail, limits.maxRecipients);
  mail.attachments = attachments(message);
  for (const who of [mail.from, mail.sender]) {
    if (who && who.address.toLowerCase() !== mailbox.toLowerCase()) {
      reject(
        403,
        'ErrorSendAsDenied',
        'The user account which was used to submit this request does not have the right to send mail on ' +
          'behalf of the specified sending account., Cannot submit message.',
      );
    }
  }
  return mail;
}

function recipients(message: JsonObject, name: string): MailAddress[] {
  return (optionalArray(message, name) ?? []).map((item) => recipient(item, name));
}

function singleRecipient(message: JsonObject, name: string): MailAddress | undefined {
  const value = optionalObject(message, name);
  return value ? recipient(value, name) : undefined;
}

function recipient(item: unknown, name: string): MailAddress {
  if (!isObject(item)) bodyRead(`The property '${name}' must be a collection of recipients.`);
  const email = optionalObject(item, 'emailAddress');
  const address = email ? optionalString(email, 'address') : undefined;
  const display = email ? optionalString(email, 'name') : undefined;
  // Checked for well-formedness later, so that "no recipients" wins over "bad recipient" as in Exchange.
  return display === undefined ? { address: address ?? '' } : { address: address ?? '', name: display };
}

function checkRecipients(mail: ParsedMail, maxRecipients: number): void {
  const all = [...mail.to, ...mail.cc, ...mail.bcc];
  if (all.length === 0) {
    reject(
      400,
      'ErrorInvalidRecipients',
      "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
    );
  }
  if (all.length > maxRecipients) {
    reject(
      400,
      'ErrorInvalidRecipients',
      `At least one recipient is not valid., The message has more than ${maxRecipients} recipients.`,
    );
  }
  for (const who of [...all, ...mail.replyTo]) {
    if (!ADDRESS.test(who.address)) {
      // Graph quotes the address it could not find: the caller must redact it before storing.
      reject(
        400,
        'ErrorInvalidRecipients',
        `At least one recipient isn't valid., Recipient '${who.address}' is not resolved. All recipients ` +
          'must be resolved before a message can be submitted.',
      );
    }
  }
}

function internetMessageHeaders(message: JsonObject): ParsedMail['headers'] {
  const list = optionalArray(message, 'internetMessageHeaders');
  if (list === undefined) return [];
  if (list.length === 0) {
    reject(
      400,
      'InvalidInternetMessageHeaderCollection',
      'The internet message header collection should not be empty.',
    );
  }
  if (list.length > MAX_INTERNET_HEADERS) {
    reject(
      400,
      'InvalidInternetMessageHeaderCollection',
      `Maximum number of headers in one message should be less than or equal to ${MAX_INTERNET_HEADERS}.`,
    );
  }
  return list.map((item) => {
    if (!isObject(item)) bodyRead("The property 'internetMessageHeaders' must be a collection of headers.");
    const name = optionalString(item, 'name') ?? '';
    const value = optionalString(item, 'value') ?? '';
    if (!/^x-/i.test(name)) {
      reject(
        400,
        'InvalidInternetMessageHeader',
        `The internet message header name '${name}' should start with 'x-' or 'X-'.`,
      );
    }
    return { name, value };
  });
}

function extendedProperties(message: JsonObject): ParsedMail['extendedProperties'] {
  return (optionalArray(message, 'singleValueExtendedProperties') ?? []).map((item) => {
    if (!isObject(item)) bodyRead("The property 'singleValueExtendedProperties' must be a collection.");
    const id = optionalString(item, 'id');
    const value = optionalString(item, 'value');
    if (id === undefined || value === undefined)
      reject(400, 'ErrorRequiredPropertyMissing', 'Required property is missing.');
    return { id, value };
  });
}

function attachments(message: JsonObject): MailAttachment[] {
  return (optionalArray(message, 'attachments') ?? []).map((item) => {
    if (!isObject(item)) bodyRead("The property 'attachments' must be a collection of attachments.");
    const type = optionalString(item, '@odata.type');
    if (type?.toLowerCase() !== FILE_ATTACHMENT.toLowerCase()) {
      // The simulator stands in for what hr-courier sends: file attachments only.
      bodyRead(`The attachment type '${type ?? ''}' is not supported; use '${FILE_ATTACHMENT}'.`);
    }
    const name = optionalString(item, 'name');
    const contentBytes = optionalString(item, 'contentBytes');
    if (!name || contentBytes === undefined)
      reject(400, 'ErrorRequiredPropertyMissing', 'Required property is missing.');
    // .NET's base64 decoder, behind Exchange, ignores whitespace but nothing else.
    const compact = contentBytes.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      reject(
        400,
        'ErrorMimeContentInvalidBase64String',
        "The attachment's contentBytes is not a valid base64 string.",
      );
    }
    const contentId = optionalString(item, 'contentId');
    const attachment: MailAttachment = {
      name,
      contentType: optionalString(item, 'contentType') ?? 'application/octet-stream',
      content: Buffer.from(compact, 'base64'),
      isInline: optionalBoolean(item, 'isInline') ?? false,
    };
    if (contentId !== undefined) attachment.contentId = contentId;
    return attachment;
  });
}
