import { z } from 'zod';

/**
 * Queue message contract v1 (ARCHITECTURE §3). Producers are trusted writers, but every byte they send
 * is untrusted input: the schema is strict (unknown fields are refused, so a typo such as
 * `idempotencykey` cannot silently turn into a derived key) and every refinement names the field,
 * never the value.
 */

/** The queue's own limit: a message above it could not have come from the queue. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_RECIPIENTS = 500;
/** Graph allows 5 internet headers; hr-courier always sends X-Trace-Intent and X-Business-Id. */
export const MAX_PRODUCER_HEADERS = 3;
export const RESERVED_HEADERS = ['x-trace-intent', 'x-business-id'] as const;
export const MAX_ATTACHMENTS = 20;

// C0 and C1 control characters and DEL: matching them is the point of these two patterns.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const BUSINESS_ID_FORBIDDEN = /[/\\#?@\u0000-\u001f\u007f-\u009f]/;

const noControl = (what: string) => (s: string) =>
  !CONTROL.test(s) || `${what} must not contain control characters`;

const text = (max: number, what = 'value') =>
  z
    .string()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => noControl(what)(s) === true, {
      error: `must not contain line breaks or control characters`,
    });

export const emailAddress = z
  .email({ error: 'must be a valid email address' })
  .max(254, { error: 'must be at most 254 characters' });

export const businessIdSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' })
  .refine((s) => !BUSINESS_ID_FORBIDDEN.test(s), {
    error: 'must not contain / \\ # ? @ or control characters',
  });

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, { error: 'must be 1-200 characters of A-Z a-z 0-9 . _ : -' });

const recipient = z.strictObject({
  address: emailAddress,
  name: text(256, 'name').optional(),
});

const recipients = (max: number) =>
  z
    .array(recipient)
    .max(max, { error: `must have at most ${max} entries` })
    .default([]);

const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

const attachmentName = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(255, { error: 'must be at most 255 characters' })
  .refine((s) => !CONTROL.test(s) && !/[/\\]/.test(s), {
    error: 'must not contain path separators or control characters',
  });

const contentType = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/, {
    error: 'must be a MIME type such as application/pdf',
  });

const base64 = z
  .string()
  .min(1, { error: 'must not be empty' })
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, {
    error: 'must be valid base64',
  });

const blobPath = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(1024, { error: 'must be at most 1024 characters' });

const attachment = z
  .strictObject({
    name: attachmentName,
    contentType,
    contentBytes: base64.optional(),
    blob: blobPath.optional(),
  })
  .refine((a) => (a.contentBytes === undefined) !== (a.blob === undefined), {
    error: 'must have exactly one of contentBytes (inline) or blob (claim check)',
  });

const headerName = z
  .string()
  .regex(/^X-[A-Za-z0-9-]{1,60}$/, { error: 'header names must match ^X-[A-Za-z0-9-]+$' });

export const messageSchemaV1 = z
  .strictObject({
    version: z.literal(1, { error: 'must be 1' }),
    idempotencyKey: idempotencyKeySchema.optional(),
    businessId: businessIdSchema,
    intent: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: 'must be 1-40 characters of a-z 0-9 -' }),
    sender: emailAddress,
    template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'must be a template name (a-z 0-9 -)' }),
    templateVersion: z
      .string()
      .regex(/^[1-9][0-9]{0,5}$/, { error: 'must be a version number such as "2"' })
      .optional(),
    data: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
    to: z
      .array(recipient)
      .min(1, { error: 'must have at least one recipient' })
      .max(MAX_RECIPIENTS, { error: `must have at most ${MAX_RECIPIENTS} entries` }),
    cc: recipients(MAX_RECIPIENTS),
    bcc: recipients(MAX_RECIPIENTS),
    replyTo: recipients(10),
    attachments: z
      .array(attachment)
      .max(MAX_ATTACHMENTS, { error: `must have at most ${MAX_ATTACHMENTS} entries` })
      .default([]),
    headers: z
      .record(headerName, text(500, 'header value'), {
        error: (issue) =>
          issue.code === 'invalid_type' ? 'must be an object of header names to values' : undefined,
      })
      .default({}),
    importance: z.enum(['low', 'normal', 'high'], { error: 'must be low, normal or high' }).default('normal'),
    saveToSentItems: z.boolean({ error: 'must be true or false' }).default(true),
    notBefore: isoDateTime.optional(),
    expiresAt: isoDateTime.optional(),
    requestedAt: isoDateTime.optional(),
    correlationId: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, { error: 'must be 1-200 printable ASCII characters' })
      .optional(),
  })
  .superRefine((m, ctx) => {
    const total = m.to.length + m.cc.length + m.bcc.length;
    if (total > MAX_RECIPIENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `to + cc + bcc must be at most ${MAX_RECIPIENTS} recipients`,
      });
    }
    const names = Object.keys(m.headers);
    if (names.length > MAX_PRODUCER_HEADERS) {
      ctx.addIssue({
        code: 'custom',
        path: ['headers'],
        message: `must have at most ${MAX_PRODUCER_HEADERS} headers (Graph allows 5; hr-courier sends 2)`,
      });
    }
    for (const name of names) {
      if ((RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: 'is set by hr-courier and cannot be given',
        });
      }
    }
    m.attachments.forEach((a, i) => {
      if (a.blob !== undefined) {
        const problem = blobPathProblem(a.blob, m.businessId);
        if (problem) ctx.addIssue({ code: 'custom', path: ['attachments', i, 'blob'], message: problem });
      }
    });
    if (m.notBefore && m.expiresAt && Date.parse(m.expiresAt) <= Date.parse(m.notBefore)) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be later than notBefore' });
    }
  });

export type HrMailMessage = z.infer<typeof messageSchemaV1>;
export type HrMailMessageInput = z.input<typeof messageSchemaV1>;
export type Attachment = HrMailMessage['attachments'][number];
export type Recipient = HrMailMessage['to'][number];

/**
 * Claim-check paths are relative to the one attachments container and confined to the message's own
 * businessId folder. Returns why a path is refused, or undefined.
 */
export function blobPathProblem(path: string, businessId: string): string | undefined {
  if (CONTROL.test(path)) return 'must not contain control characters';
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return 'must be a path inside the container, not a URL';
  if (path.includes('//')) return 'must not contain empty path segments';
  if (path.startsWith('/')) return 'must not start with /';
  if (path.includes('\\')) return 'must not contain backslashes';
  if (/%(2f|5c|2e|00)/i.test(path)) return 'must not contain percent-encoded separators or dots';
  if (/[?#]/.test(path)) return 'must not contain ? or #';
  if (path.split('/').some((segment) => segment === '..' || segment === '.'))
    return 'must not contain . or .. segments';
  if (!path.startsWith(`${businessId}/`) || path.length === businessId.length + 1) {
    return 'must start with "{businessId}/" and name a file in that folder';
  }
  return undefined;
}
