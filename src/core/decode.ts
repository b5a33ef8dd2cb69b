import type { z } from 'zod';
import { FailureCode } from '../domain/failure-codes.js';
import { businessIdSchema, MAX_MESSAGE_BYTES, messageSchemaV1, type HrMailMessage } from './contract.js';
import type { FailureReason } from '../domain/failure.js';

export interface FieldIssue {
  /** `to[0].address`, `data.startDate`, `headers.X-Foo` or `(message)` for the whole message. */
  path: string;
  reason: string;
}

export type Decoded =
  | { ok: true; message: HrMailMessage; parsed: unknown }
  | {
      ok: false;
      reason: FailureReason;
      issues: FieldIssue[];
      /** The businessId, when the message carried a valid one: the rejection is filed under it. */
      businessId?: string;
    };

const MAX_ISSUES = 20;

/**
 * Step 1 of the flow: bytes → a validated contract-v1 message, or a precise, PII-free reason.
 * Pure: no I/O, no clock.
 */
export function decodeMessage(text: string): Decoded {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    return reject(
      FailureCode.MessageTooLarge,
      `message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`,
      [],
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    // JSON.parse's message can quote the start of the input (personal data): keep only the position.
    const position = e instanceof Error ? /position (\d+)/.exec(e.message)?.[1] : undefined;
    const where = position === undefined ? 'from its first character' : `at character ${position}`;
    return reject(FailureCode.InvalidJson, `message is not JSON text (invalid ${where})`, []);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject(FailureCode.InvalidMessage, 'message must be a JSON object', [
      { path: '(message)', reason: 'must be a JSON object' },
    ]);
  }
  const result = messageSchemaV1.safeParse(parsed, { reportInput: true });
  const businessId = validBusinessId(parsed);
  if (!result.success) {
    const issues = result.error.issues.slice(0, MAX_ISSUES).flatMap(toFieldIssues);
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path}: ${i.reason}`)
      .join('; ');
    const more = result.error.issues.length > 5 ? ` (+${result.error.issues.length - 5} more)` : '';
    return reject(FailureCode.InvalidMessage, `${summary}${more}`, issues, businessId);
  }
  return { ok: true, message: result.data, parsed };
}

function reject(code: FailureCode, detail: string, issues: FieldIssue[], businessId?: string): Decoded {
  const reason: FailureReason = { code, detail };
  if (issues.length > 0) reason.fieldPaths = issues.map((i) => i.path);
  return businessId === undefined ? { ok: false, reason, issues } : { ok: false, reason, issues, businessId };
}

function validBusinessId(parsed: object): string | undefined {
  const candidate = (parsed as Record<string, unknown>).businessId;
  return businessIdSchema.safeParse(candidate).success ? (candidate as string) : undefined;
}

/** Turns one zod issue into field issues; the input value is consulted (missing or not) but never copied. */
function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      path: formatPath([...issue.path, k]),
      reason: 'is not a field of contract v1',
    }));
  }
  const path = formatPath(issue.path);
  if (issue.code === 'invalid_key')
    return [{ path, reason: issue.issues[0]?.message ?? 'is not an allowed key' }];
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path, reason: 'is required' }];
  if (issue.code === 'invalid_type') {
    return [{ path, reason: `must be ${article(issue.expected === 'record' ? 'object' : issue.expected)}` }];
  }
  return [{ path, reason: issue.message }];
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * `['to', 0, 'address']` → `to[0].address`. Keys come from the producer, so only identifier-like keys
 * are echoed; anything else (a key that could carry personal data or a line break) shows as `[…]`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(message)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else out += '[…]';
  }
  return out;
}
