import type { z } from 'zod';
import { FailureCode } from '../domain/failure-codes.js';
import type { FailureReason } from '../domain/failure.js';
import {
  businessIdSchema,
  DEFINED_KEYS,
  MAX_DEPTH,
  MAX_MESSAGE_BYTES,
  messageSchemaV1,
  RESERVED_HEADERS,
  type HrMailMessage,
} from './contract.js';
import { hasLoneSurrogate, WELL_FORMED } from './text-rules.js';

export interface FieldIssue {
  /**
   * `to[0].address`, `data.*`, `headers.*` or `(message)` for the whole message. Only names the
   * contract defines are shown; a producer's own key (in `data`, `headers`, or unknown) shows as `*`.
   */
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
const SUMMARY_ISSUES = 5;
/** Segments of a path shown before `…`: enough to place an issue, short enough for a log line. */
const MAX_PATH_SEGMENTS = 8;

type RawPath = readonly PropertyKey[];

interface RawIssue {
  path: RawPath;
  reason: string;
  /** zod's verdict on a `data` value the structural check has already explained (or will). */
  union?: boolean;
}

/**
 * Step 1 of the flow: bytes → a validated contract-v1 message, or a precise, PII-free reason.
 * Pure: no I/O, no clock. Total: whatever the text holds, it returns (docs/architecture.md §4).
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
    // V8's JSON.parse is not recursive: any nesting that fits in 64 KB parses.
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
  const businessId = validBusinessId(parsed);
  const structure = inspectStructure(parsed);
  // Only a structure checked to the end, and so known to be shallow, goes on to zod's recursion.
  if (!structure.complete) return invalid(structure.issues, businessId);
  const result = messageSchemaV1.safeParse(parsed, { reportInput: true });
  if (result.success && structure.issues.length === 0) return { ok: true, message: result.data, parsed };
  const schemaIssues = result.success ? [] : result.error.issues.flatMap(toRawIssues);
  const explained = (i: RawIssue) =>
    (i.union === true && structure.issues.length > 0) ||
    structure.issues.some((s) => samePath(s.path, i.path));
  return invalid([...structure.issues, ...schemaIssues.filter((i) => !explained(i))], businessId);
}

function invalid(raw: RawIssue[], businessId: string | undefined): Decoded {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const i of raw) {
    const issue = { path: formatPath(i.path), reason: i.reason };
    const id = `${issue.path}\u0000${issue.reason}`;
    if (!seen.has(id)) {
      seen.add(id);
      issues.push(issue);
    }
  }
  const summary = issues
    .slice(0, SUMMARY_ISSUES)
    .map((i) => `${i.path}: ${i.reason}`)
    .join('; ');
  const more = issues.length > SUMMARY_ISSUES ? ` (+${issues.length - SUMMARY_ISSUES} more)` : '';
  return reject(FailureCode.InvalidMessage, `${summary}${more}`, issues.slice(0, MAX_ISSUES), businessId);
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

const samePath = (a: RawPath, b: RawPath) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * What no per-field rule can see, checked over the whole parsed value with an explicit stack (no
 * recursion, so no depth can overflow it): nesting deeper than MAX_DEPTH, strings and keys that are
 * not well-formed UTF-16, `__proto__` keys, numbers beyond a double. `complete` is false when the
 * walk stopped early (too deep, or too many issues): the value must then go no further.
 */
function inspectStructure(root: object): { issues: RawIssue[]; complete: boolean } {
  const issues: RawIssue[] = [];
  let complete = true;
  // Each node links to its parent: a path is built only for the rare node that has an issue.
  const stack: Node[] = [{ value: root, key: undefined, parent: undefined, depth: 1 }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (issues.length >= MAX_ISSUES) return { issues, complete: false };
    const { value, depth } = node;
    if (typeof value === 'string') {
      if (hasLoneSurrogate(value)) issues.push({ path: pathOf(node), reason: WELL_FORMED.message });
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) issues.push({ path: pathOf(node), reason: 'must be a finite number' });
    } else if (typeof value === 'object' && value !== null) {
      if (depth > MAX_DEPTH) {
        issues.push({ path: pathOf(node), reason: `nested deeper than ${MAX_DEPTH} levels` });
        complete = false;
        continue;
      }
      // Pushed in reverse, so issues come out in document order.
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          stack.push({ value: value[i] as unknown, key: i, parent: node, depth: depth + 1 });
        }
      } else {
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          const child: Node = {
            value: (value as Record<string, unknown>)[key],
            key,
            parent: node,
            depth: depth + 1,
          };
          stack.push(child);
          const problem = keyProblem(key);
          if (problem !== undefined) issues.push({ path: pathOf(child), reason: problem });
        }
      }
    }
  }
  return { issues, complete };
}

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
  depth: number;
}

function pathOf(node: Node): RawPath {
  const path: (string | number)[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) path.unshift(n.key);
  return path;
}

function keyProblem(key: string): string | undefined {
  if (hasLoneSurrogate(key)) return `is a key that ${WELL_FORMED.message}`;
  if (key === '__proto__') return 'is a key named __proto__, which is not allowed';
  return undefined;
}

/** Turns one zod issue into issues by path; the input value is consulted (missing or not) but never copied. */
function toRawIssues(issue: z.core.$ZodIssue): RawIssue[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({
        path: [...path, k],
        reason: `is not a field of contract v1${didYouMean(path, k)}`,
      }));
    case 'invalid_key':
      return [{ path, reason: issue.issues[0]?.message ?? 'is not an allowed key' }];
    case 'invalid_union':
      // Only `data` holds unions; inspectStructure explains the value that failed.
      return [
        {
          path,
          reason: 'must be text, a finite number, true, false, null, a list or an object',
          union: true,
        },
      ];
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, reason: 'is required' }];
      return [
        { path, reason: `must be ${article(issue.expected === 'record' ? 'object' : issue.expected)}` },
      ];
    default:
      return [{ path, reason: issue.message }];
  }
}

/** A hint for a misspelt field, naming the contract's field, never the producer's key. */
function didYouMean(objectPath: RawPath, key: string): string {
  const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const match = definedKeys(scopeOf(objectPath)).find(
    (k) => fold(k) === fold(key) || editDistanceIsOne(k, key),
  );
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}

function editDistanceIsOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // Substituted, inserted or deleted at i: the rest must then line up.
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Where in the contract a path leads: which keys there are the contract's own. */
type Scope = 'message' | 'recipients' | 'recipient' | 'attachments' | 'attachment' | 'headers' | 'opaque';

const RECIPIENT_LISTS: ReadonlySet<PropertyKey> = new Set(['to', 'cc', 'bcc', 'replyTo']);

function definedKeys(scope: Scope): readonly string[] {
  switch (scope) {
    case 'message':
      return DEFINED_KEYS.message;
    case 'recipient':
      return DEFINED_KEYS.recipient;
    case 'attachment':
      return DEFINED_KEYS.attachment;
    case 'headers':
      return RESERVED_HEADERS;
    default:
      return [];
  }
}

function isDefined(scope: Scope, key: PropertyKey): key is string {
  if (typeof key !== 'string') return false;
  if (scope === 'headers') return RESERVED_HEADERS.some((h) => h.toLowerCase() === key.toLowerCase());
  return definedKeys(scope).includes(key);
}

function childScope(scope: Scope, key: PropertyKey): Scope {
  if (scope === 'message' && isDefined(scope, key)) {
    if (RECIPIENT_LISTS.has(key)) return 'recipients';
    if (key === 'attachments') return 'attachments';
    if (key === 'headers') return 'headers';
  }
  if (scope === 'recipients' && typeof key === 'number') return 'recipient';
  if (scope === 'attachments' && typeof key === 'number') return 'attachment';
  return 'opaque';
}

function scopeOf(path: RawPath): Scope {
  return path.reduce<Scope>(childScope, 'message');
}

/**
 * `['to', 0, 'address']` → `to[0].address`. Only the contract's own names are shown: a key the
 * producer chose (inside `data` or `headers`, or unknown) could carry personal data or a line break,
 * and shows as `*`. Long paths end in `…` after MAX_PATH_SEGMENTS segments.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(message)';
  let out = '';
  let scope: Scope = 'message';
  for (const [i, segment] of path.entries()) {
    if (i === MAX_PATH_SEGMENTS) return `${out}…`;
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const name = isDefined(scope, segment) ? segment : '*';
      out += out === '' ? name : `.${name}`;
    }
    scope = childScope(scope, segment);
  }
  return out;
}
