/** A sendMail request after validation: what the outbox, the look-ups and the counts work from. */

export interface MailAddress {
  address: string;
  name?: string;
}

export interface MailAttachment {
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
}

export interface ParsedMail {
  subject: string;
  bodyType: 'html' | 'text';
  bodyContent: string;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo: MailAddress[];
  from?: MailAddress;
  sender?: MailAddress;
  importance: 'low' | 'normal' | 'high';
  /** `internetMessageHeaders`, all `x-` headers. */
  headers: { name: string; value: string }[];
  extendedProperties: { id: string; value: string }[];
  attachments: MailAttachment[];
  saveToSentItems: boolean;
}

export function recipientCount(mail: ParsedMail): number {
  return mail.to.length + mail.cc.length + mail.bcc.length;
}
