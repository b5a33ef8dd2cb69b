/**
 * The privacy scanner of the end-to-end tests (docs/architecture.md §5.5): take every sensitive string out
 * of a contract-v1 message, then look for any of them in logs, telemetry, ledger rows or poison
 * reasons. A needle that is too short or too generic to mean anything is dropped, and so is one
 * that is part of a value the rule allows (business id, key, intent, template, sender, domains),
 * so that logging an allowed value is never reported as a leak.
 */

export interface PiiFinding {
  needle: string;
  index: number;
  /** The haystack around the match, for the failure message. */
  context: string;
}

const MIN_LENGTH = 5;
const CONTEXT_CHARS = 40;
const RECIPIENT_FIELDS = ['to', 'cc', 'bcc', 'replyTo'] as const;
const ALLOWED_FIELDS = [
  'businessId',
  'idempotencyKey',
  'intent',
  'sender',
  'template',
  'templateVersion',
  'correlationId',
] as const;
const GENERIC = new Set(['true', 'false', 'null', 'undefined']);
// Dates and times collide with the timestamps every log line carries.
const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(message: unknown): Json {
  if (typeof message === 'string') {
    const parsed: unknown = JSON.parse(message);
    return isObject(parsed) ? parsed : {};
  }
  return isObject(message) ? message : {};
}

function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) leaves(v, out);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function recipientNeedles(m: Json): string[] {
  const out: string[] = [];
  for (const field of RECIPIENT_FIELDS) {
    for (const r of list(m[field])) {
      const address = str(r.address);
      const name = str(r.name);
      if (address !== undefined) out.push(address, address.split('@')[0] ?? '');
      if (name !== undefined) out.push(name, ...name.split(/\s+/));
    }
  }
  return out;
}

function attachmentNeedles(m: Json, businessId: string | undefined): string[] {
  const out: string[] = [];
  for (const a of list(m.attachments)) {
    const name = str(a.name);
    const blob = str(a.blob);
    const bytes = str(a.contentBytes);
    if (name !== undefined) out.push(name);
    if (bytes !== undefined) out.push(bytes);
    if (blob !== undefined) {
      out.push(blob);
      // The business id prefix is allowed; what follows it is the file's name.
      if (businessId !== undefined && blob.startsWith(`${businessId}/`))
        out.push(blob.slice(businessId.length + 1));
    }
  }
  return out;
}

function allowedValues(m: Json): string[] {
  const values = ALLOWED_FIELDS.map((f) => str(m[f])).filter((v): v is string => v !== undefined);
  for (const field of RECIPIENT_FIELDS) {
    for (const r of list(m[field])) {
      const domain = str(r.address)?.split('@')[1];
      if (domain !== undefined) values.push(domain);
    }
  }
  return values.map((v) => v.toLowerCase());
}

function meaningful(needle: string, allowed: string[]): boolean {
  const n = needle.toLowerCase();
  // The length floor also drops every number under five digits.
  if (n.length < MIN_LENGTH || GENERIC.has(n) || DATE_OR_TIME.test(n)) return false;
  return !allowed.some((a) => a.includes(n));
}

/**
 * Every sensitive string of a contract-v1 message (object or JSON text): recipient addresses, their
 * local parts and names (whole and word by word) in to/cc/bcc/replyTo, every string and number leaf
 * under `data`, attachment names, inline contents and blob paths, plus `extra` (a rendered subject).
 */
export function piiNeedles(message: unknown, extra: string[] = []): string[] {
  const m = parse(message);
  const businessId = str(m.businessId);
  const data: string[] = [];
  leaves(m.data, data);
  const candidates = [...recipientNeedles(m), ...data, ...attachmentNeedles(m, businessId), ...extra];
  const allowed = allowedValues(m);
  const kept = candidates.map((c) => c.trim()).filter((c) => meaningful(c, allowed));
  return [...new Set(kept)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const jsonEscape = (text: string): string => JSON.stringify(text).slice(1, -1);

/**
 * The forms a needle takes once serialised: raw, JSON-escaped (once, or twice for JSON inside a JSON
 * string; also with \u escapes), URL-encoded (component, form and path style).
 */
function variants(needle: string): string[] {
  const json = jsonEscape(needle);
  const asciiJson = json.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const component = encodeURIComponent(needle);
  return [
    ...new Set([
      needle,
      json,
      jsonEscape(json),
      asciiJson,
      component,
      component.replace(/%20/g, '+'),
      encodeURI(needle),
    ]),
  ];
}

/** Every place where a needle, in any of its serialised forms, occurs in the haystack (case-insensitive). */
export function findPii(haystack: string, needles: string[]): PiiFinding[] {
  const findings: PiiFinding[] = [];
  const seen = new Set<string>();
  for (const needle of needles) {
    if (needle === '') continue;
    for (const form of variants(needle)) {
      for (const match of haystack.matchAll(new RegExp(escapeRegExp(form), 'gi'))) {
        const key = `${needle}\u0000${match.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const start = Math.max(0, match.index - CONTEXT_CHARS);
        const end = Math.min(haystack.length, match.index + match[0].length + CONTEXT_CHARS);
        findings.push({ needle, index: match.index, context: haystack.slice(start, end) });
      }
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}
