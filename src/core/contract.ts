import { z } from 'zod';
import {
  CONTROL_CHARS,
  DISPLAY_TEXT,
  LINE_SEPARATORS,
  NO_HIDDEN_FORMATTING,
  noneOf,
  noneOfWords,
  WELL_FORMED,
  type TextRule,
} from './text-rules.js';

/**
 * Queue message contract v1 (docs/architecture.md §4). Producers are trusted writers, but every byte
 * they send is untrusted input: the schema is strict (unknown fields are refused, so a typo such as
 * `idempotencykey` cannot silently turn into a derived key), every rule names the field, never the
 * value, and every rule on one field is a `pattern` or a bound that survives into the published JSON
 * Schema, so a producer validating against it gets the worker's answer.
 */

/** The queue's own limit: a message above it could not have come from the queue. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * How deep JSON may nest, the message object being level 1 (so `data` holds 30 more levels). Decoding
 * checks it iteratively before anything recursive (zod, canonical JSON, templates) sees the message;
 * a ~12 KB message can otherwise nest thousands of levels and overflow the stack.
 */
export const MAX_DEPTH = 32;
export const MAX_RECIPIENTS = 500;
/** Graph allows 5 internet headers; hr-courier always sends X-Trace-Intent and X-Business-Id. */
export const MAX_PRODUCER_HEADERS = 3;
export const RESERVED_HEADERS = ['X-Trace-Intent', 'X-Business-Id'] as const;
export const MAX_ATTACHMENTS = 20;

/** A string schema with each rule as a regex check: zod enforces it, toJSONSchema writes a `pattern`. */
const withRules = (schema: z.ZodString, rules: readonly TextRule[]): z.ZodString =>
  rules.reduce((s, rule) => s.regex(rule.pattern, { error: rule.message }), schema);

const atMost = (max: number) => ({ error: `must be at most ${max} characters` });
const notEmpty = { error: 'must not be empty' };

/** Text a reader sees or a header carries: one line, nothing hidden or reordered, well-formed. */
const displayText = (max: number) => withRules(z.string().max(max, atMost(max)), DISPLAY_TEXT);

export const emailAddress = z
  .email({ error: 'must be a valid email address' })
  .max(254, { error: 'must be at most 254 characters' });

// The ledger's partition key, a blob folder and a telemetry dimension: Table Storage forbids / \ # ?
// and control characters in keys, and a lone surrogate makes the storage SDKs throw URIError.
export const businessIdSchema = withRules(z.string().min(1, notEmpty).max(200, atMost(200)), [
  noneOf(
    `/\\\\#?@${CONTROL_CHARS}${LINE_SEPARATORS}`,
    'must not contain / \\ # ? @, line breaks or control characters',
  ),
  NO_HIDDEN_FORMATTING,
  WELL_FORMED,
]);

export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,200}$/, { error: 'must be 1-200 characters of A-Z a-z 0-9 . _ : -' });

// The display name reaches the To/Cc header of an HR mail.
const recipient = z
  .strictObject({
    address: emailAddress,
    name: displayText(256).optional(),
  })
  .meta({ id: 'Recipient' });

const recipients = (max: number) =>
  z
    .array(recipient)
    .max(max, { error: `must have at most ${max} entries` })
    .default([]);

const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone' });

// What the recipient's mail client shows: a bidi override turns "offer\u202Efdp.exe" into "offerexe.pdf".
const attachmentName = withRules(z.string().min(1, notEmpty).max(255, atMost(255)), [
  noneOf(
    `/\\\\${CONTROL_CHARS}${LINE_SEPARATORS}`,
    'must not contain path separators, line breaks or control characters',
  ),
  NO_HIDDEN_FORMATTING,
  WELL_FORMED,
]);

const contentType = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/, {
    error: 'must be a MIME type such as application/pdf',
  });

const base64 = z
  .string()
  .min(1, notEmpty)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, {
    error: 'must be valid base64',
  });

/**
 * Claim-check paths are relative to the one attachments container. These rules need only the path;
 * that it starts with "{businessId}/" is checked across fields (blobPathProblem).
 */
const BLOB_PATH_RULES: readonly TextRule[] = [
  noneOf(CONTROL_CHARS + LINE_SEPARATORS, 'must not contain control characters'),
  NO_HIDDEN_FORMATTING,
  WELL_FORMED,
  { pattern: /^(?![A-Za-z][A-Za-z0-9+.-]*:)/, message: 'must be a path inside the container, not a URL' },
  { pattern: /^(?![\s\S]*\/\/)/, message: 'must not contain empty path segments' },
  { pattern: /^(?!\/)/, message: 'must not start with /' },
  { pattern: /^[^\\]*$/, message: 'must not contain backslashes' },
  {
    pattern: /^(?![\s\S]*%(?:2[FfEe]|5[Cc]|00))/,
    message: 'must not contain percent-encoded separators or dots',
  },
  { pattern: /^[^?#]*$/, message: 'must not contain ? or #' },
  { pattern: /^(?![\s\S]*(?:^|\/)\.{1,2}(?:\/|$))/, message: 'must not contain . or .. segments' },
];

const blobPath = withRules(z.string().min(1, notEmpty).max(1024, atMost(1024)), BLOB_PATH_RULES);

const attachment = z
  .strictObject({
    name: attachmentName,
    contentType,
    contentBytes: base64.optional(),
    blob: blobPath.optional(),
  })
  .refine((a) => (a.contentBytes === undefined) !== (a.blob === undefined), {
    error: 'must have exactly one of contentBytes (inline) or blob (claim check)',
  })
  // The refinement above, as the JSON Schema says it.
  .meta({ id: 'Attachment', oneOf: [{ required: ['contentBytes'] }, { required: ['blob'] }] });

const headerName = withRules(z.string(), [
  { pattern: /^X-[A-Za-z0-9-]{1,60}$/, message: 'header names must match ^X-[A-Za-z0-9-]+$' },
  noneOfWords(RESERVED_HEADERS, 'is set by hr-courier and cannot be given'),
]);

// `data` is the template's business, checked against its fields when rendering; here only what would
// break the core or a store: lone surrogates, numbers beyond a double (1e999 would hash like null) and
// `__proto__` keys (zod's record drops them, so the derived key would not see them). Depth is checked
// before this schema runs, which keeps its recursion shallow.
const dataKey = withRules(z.string(), [
  { pattern: /^(?!__proto__$)/, message: 'is a key named __proto__, which is not allowed' },
  {
    pattern: WELL_FORMED.pattern,
    message: 'is a key that contains a lone surrogate (not well-formed Unicode)',
  },
]);
const dataValue: z.ZodType = z
  .lazy(() =>
    z.union([
      withRules(z.string(), [WELL_FORMED]),
      z.number().min(-Number.MAX_VALUE).max(Number.MAX_VALUE),
      z.boolean(),
      z.null(),
      z.array(dataValue),
      z.record(dataKey, dataValue),
    ]),
  )
  .meta({ id: 'DataValue', description: `A JSON value nested at most ${MAX_DEPTH} levels in the message.` });

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
    data: z.record(dataKey, dataValue, { error: 'must be an object' }),
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
      .record(headerName, displayText(500), {
        error: (issue) =>
          issue.code === 'invalid_type' ? 'must be an object of header names to values' : undefined,
      })
      // Enforced below with a better message; stated here so that the JSON Schema carries it.
      .meta({ maxProperties: MAX_PRODUCER_HEADERS })
      .default({}),
    importance: z.enum(['low', 'normal', 'high'], { error: 'must be low, normal or high' }).default('normal'),
    saveToSentItems: z.boolean({ error: 'must be true or false' }).default(true),
    notBefore: isoDateTime.optional(),
    expiresAt: isoDateTime.optional(),
    requestedAt: isoDateTime.optional(),
    // Stored and emitted with every event: an opaque id, never something that could be an address.
    correlationId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, {
        error:
          'must be 1-128 characters of A-Z a-z 0-9 . _ : - (an opaque trace id, such as a W3C traceparent)',
      })
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
    m.attachments.forEach((a, i) => {
      if (a.blob !== undefined) {
        const problem = blobFolderProblem(a.blob, m.businessId);
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

/** The cross-field part of the blob path rules: the path is inside the message's own businessId folder. */
function blobFolderProblem(path: string, businessId: string): string | undefined {
  if (!path.startsWith(`${businessId}/`) || path.length === businessId.length + 1) {
    return 'must start with "{businessId}/" and name a file in that folder';
  }
  return undefined;
}

/**
 * Claim-check paths are relative to the one attachments container and confined to the message's own
 * businessId folder. Returns why a path is refused, or undefined.
 */
export function blobPathProblem(path: string, businessId: string): string | undefined {
  return (
    BLOB_PATH_RULES.find((rule) => !rule.pattern.test(path))?.message ?? blobFolderProblem(path, businessId)
  );
}

/** The keys contract v1 defines, by object: the only producer keys a reason may name. */
export const DEFINED_KEYS = {
  message: Object.keys(messageSchemaV1.shape),
  recipient: Object.keys(recipient.shape),
  attachment: Object.keys(attachment.shape),
} as const;
