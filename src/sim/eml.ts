import type { MailAddress, MailAttachment, ParsedMail } from './mail-model.js';
import { plainTextOf } from './plain-text.js';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CRLF = '\r\n';

export interface EmlInput {
  mail: ParsedMail;
  /** The mailbox of the URL: the From when the message names none. */
  mailbox: string;
  /** `<…@…>`, angle brackets included. */
  internetMessageId: string;
  date: Date;
  /** The HrCourierKey extended property's value, shown as `X-HrCourier-Key`. */
  key?: string;
  /** Unique per message; used to derive MIME boundaries. */
  boundarySeed: string;
}

/** The HTML a reader sees: the HTML body as sent, or the text body escaped in a <pre>. */
export function renderedHtml(mail: ParsedMail): string {
  return mail.bodyType === 'html' ? mail.bodyContent : `<pre>${escapeHtml(mail.bodyContent)}</pre>`;
}

export function renderedText(mail: ParsedMail): string {
  return mail.bodyType === 'html' ? plainTextOf(mail.bodyContent) : mail.bodyContent;
}

/**
 * The accepted mail as an RFC 5322 / MIME message, the way it would leave Exchange: a
 * multipart/alternative of a plain-text rendering and the HTML, wrapped in multipart/mixed with the
 * attachments as base64 parts when there are any.
 */
export function buildEml(input: EmlInput): string {
  const { mail } = input;
  const seed = input.boundarySeed.replace(/[^A-Za-z0-9]/g, '');
  // "=_" never occurs in base64, so these boundaries cannot collide with part contents.
  const altBoundary = `=_alt_${seed}`;
  const mixedBoundary = `=_mixed_${seed}`;

  const headers: string[] = [];
  headers.push(`From: ${addressList([mail.from ?? { address: input.mailbox }])}`);
  if (mail.sender) headers.push(`Sender: ${addressList([mail.sender])}`);
  if (mail.to.length) headers.push(`To: ${addressList(mail.to)}`);
  if (mail.cc.length) headers.push(`Cc: ${addressList(mail.cc)}`);
  // The sender's own copy keeps Bcc, as Sent Items does.
  if (mail.bcc.length) headers.push(`Bcc: ${addressList(mail.bcc)}`);
  if (mail.replyTo.length) headers.push(`Reply-To: ${addressList(mail.replyTo)}`);
  headers.push(`Subject: ${encodeHeaderText(mail.subject)}`);
  headers.push(`Date: ${input.date.toUTCString().replace('GMT', '+0000')}`);
  headers.push(`Message-ID: ${input.internetMessageId}`);
  headers.push('MIME-Version: 1.0');
  if (mail.importance !== 'normal') {
    headers.push(`Importance: ${mail.importance}`, `X-Priority: ${mail.importance === 'high' ? '1' : '5'}`);
  }
  for (const h of mail.headers) headers.push(`${headerName(h.name)}: ${encodeHeaderText(h.value)}`);
  if (input.key !== undefined) headers.push(`X-HrCourier-Key: ${encodeHeaderText(input.key)}`);

  const alternative = [
    `Content-Type: multipart/alternative; boundary="${altBoundary}"`,
    '',
    `--${altBoundary}`,
    textPart('text/plain', renderedText(mail)),
    `--${altBoundary}`,
    textPart('text/html', renderedHtml(mail)),
    `--${altBoundary}--`,
    '',
  ].join(CRLF);

  if (mail.attachments.length === 0) return headers.join(CRLF) + CRLF + alternative;
  const parts = [alternative, ...mail.attachments.map(attachmentPart)];
  return (
    headers.join(CRLF) +
    CRLF +
    `Content-Type: multipart/mixed; boundary="${mixedBoundary}"` +
    CRLF +
    CRLF +
    parts.map((p) => `--${mixedBoundary}${CRLF}${p}`).join(CRLF) +
    `${CRLF}--${mixedBoundary}--${CRLF}`
  );
}

function textPart(type: string, content: string): string {
  return [
    `Content-Type: ${type}; charset=utf-8`,
    'Content-Transfer-Encoding: base64',
    '',
    wrapBase64(Buffer.from(content, 'utf8')),
  ].join(CRLF);
}

function attachmentPart(a: MailAttachment): string {
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream';
  const lines = [
    `Content-Type: ${type}; ${mimeParam('name', a.name)}`,
    `Content-Disposition: ${a.isInline ? 'inline' : 'attachment'}; ${mimeParam('filename', a.name)}`,
    'Content-Transfer-Encoding: base64',
  ];
  if (a.contentId !== undefined) lines.push(`Content-ID: <${oneLine(a.contentId).replace(/[<>]/g, '')}>`);
  lines.push('', wrapBase64(a.content));
  return lines.join(CRLF);
}

function wrapBase64(content: Buffer): string {
  return (content.toString('base64').match(/.{1,76}/g) ?? ['']).join(CRLF);
}

/** Field names are printable ASCII without ':' (RFC 5322 §2.2); anything else would forge headers. */
function headerName(name: string): string {
  return name.replace(/[^\x21-\x39\x3b-\x7e]/g, '');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** RFC 2047 encoded words for non-ASCII text, split so no word exceeds the 75-character limit. */
export function encodeHeaderText(text: string): string {
  const clean = oneLine(text);
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

function addressList(list: readonly MailAddress[]): string {
  return list.map(formatAddress).join(`,${CRLF} `);
}

function formatAddress(a: MailAddress): string {
  const address = oneLine(a.address);
  if (!a.name) return `<${address}>`;
  const name = oneLine(a.name);
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/(["\\])/g, '\\$1')}"`
    : encodeHeaderText(name);
  return `${display} <${address}>`;
}

/** `name="file.pdf"`, or RFC 2231 `name*=UTF-8''…` when the value is not plain ASCII. */
function mimeParam(param: string, value: string): string {
  const clean = oneLine(value);
  if (/^[\x20-\x7e]*$/.test(clean) && !/["\\]/.test(clean)) return `${param}="${clean}"`;
  return `${param}*=UTF-8''${encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
