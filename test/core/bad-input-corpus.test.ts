import { describe, expect, it } from 'vitest';
import { messageSchemaV1 } from '../../src/core/contract.js';
import { hasLoneSurrogate } from '../../src/core/text-rules.js';
import { findPii, piiNeedles } from '../support/pii.js';
import { asText, EVERY_FIELD_BLOB, everyFieldMessage, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

// Everything before the first ledger write must be total (docs/architecture.md §4): whatever a queue
// message holds, the delivery core turns it into a valid message or a precise, PII-free rejection —
// never an exception (which the host would retry until it poisons the message blind). Each case is
// one contract field of a valid sample with one hostile value, delivered through the real core wired
// to in-memory fakes; then a good message must still go through.

type Path = readonly (string | number)[];
/** `rejected`: refused by decoding; `sent`: legitimately valid; anything else: the failure code expected. */
type Expect = 'rejected' | 'sent' | `failed:${string}`;

const RAW = '@@RAW@@';
const DECODE_CODES = ['InvalidMessage', 'InvalidJson', 'MessageTooLarge'];
const DEEP = 3000;

interface Variant {
  name: string;
  /** A value to put at the field, or `{ raw }` JSON text that JSON.stringify cannot write. */
  value: unknown;
  raw?: string;
  missing?: boolean;
}

/** Hostile strings; `max` is the field's documented length limit, when it has one. */
function stringVariants(max: number | undefined): Variant[] {
  const limit = max ?? 100;
  const variants: Variant[] = [
    { name: 'empty string', value: '' },
    { name: 'one character too long', value: 'a'.repeat((max ?? 5000) + 1) },
    { name: '60 000 characters', value: 'a'.repeat(60_000) },
    { name: 'a control character', value: 'a\u0007b' },
    { name: 'a NUL', value: 'a\u0000b' },
    { name: 'CR LF and a header', value: 'a\r\nBcc: intruder@example.net' },
    { name: 'U+2028', value: 'a\u2028b' },
    { name: 'a bidi override', value: 'offer\u202Efdp.exe' },
    { name: 'a zero-width space', value: 'a\u200Bb' },
    { name: 'a lone high surrogate', value: 'a\ud800b' },
    { name: 'a lone low surrogate', value: 'a\udc00b' },
    { name: 'emoji at the length limit', value: '😀'.repeat(limit) },
    { name: 'combining marks', value: 'Zoe\u0308 Ma\u0301rquez' },
    { name: 'NaN', value: 'NaN' },
    { name: 'Infinity', value: 'Infinity' },
    { name: 'the string 1e999', value: '1e999' },
  ];
  if (max !== undefined) variants.push({ name: 'emoji one over the limit', value: '😀'.repeat(max + 1) });
  return variants;
}

const deep = `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`;
const TYPE_VARIANTS: Variant[] = [
  { name: 'a number', value: 42 },
  { name: 'a number too large for a double', value: RAW, raw: '1e999' },
  { name: 'negative zero', value: RAW, raw: '-0' },
  { name: 'an integer beyond 2^53', value: RAW, raw: '12345678901234567890' },
  { name: 'true', value: true },
  { name: 'null', value: null },
  { name: 'an empty list', value: [] },
  { name: 'an empty object', value: {} },
  { name: `an object nested ${DEEP} levels`, value: RAW, raw: deep },
  { name: 'missing', value: undefined, missing: true },
];

const KEY_VARIANTS: { name: string; key: string }[] = [
  { name: 'a __proto__ key', key: '__proto__' },
  { name: 'a constructor key', key: 'constructor' },
  { name: 'a prototype key', key: 'prototype' },
  { name: 'a key with a lone surrogate', key: 'k\ud800' },
  { name: 'a key that is an address', key: 'philippa.ironside@example.org' },
];

interface Field {
  label: string;
  path: Path;
  /** String variants are tried on string fields only; type variants on every field. */
  string?: { max?: number; wrap?: (s: string) => string };
  /** Object fields: extra keys are tried too. */
  object?: boolean;
  withBlob?: boolean;
  /** Variant names (string, type or key) that are valid here; everything else must be rejected. */
  valid?: readonly string[];
  /** Variant names that pass decoding but fail later for another reason, with its code. */
  later?: Readonly<Record<string, string>>;
}

const NAN_LIKE = ['NaN', 'Infinity', 'the string 1e999'];
const NICE_TEXT = ['emoji at the length limit', 'combining marks', ...NAN_LIKE];
const WRONG_TYPES = ['a number', 'true', 'null', 'an empty list', 'an empty object', 'negative zero'];

const FIELDS: Field[] = [
  { label: '(the message)', path: [], object: true },
  { label: 'version', path: ['version'] },
  {
    label: 'idempotencyKey',
    path: ['idempotencyKey'],
    string: { max: 200 },
    valid: ['missing', ...NAN_LIKE],
  },
  { label: 'businessId', path: ['businessId'], string: { max: 200 }, valid: NICE_TEXT },
  {
    label: 'intent',
    path: ['intent'],
    string: { max: 40 },
    valid: ['the string 1e999'],
  },
  { label: 'sender', path: ['sender'], string: { max: 254 } },
  {
    label: 'template',
    path: ['template'],
    string: { max: 64 },
    later: { 'the string 1e999': 'UnknownTemplate' },
  },
  { label: 'templateVersion', path: ['templateVersion'], string: {}, valid: ['missing'] },
  {
    label: 'data',
    path: ['data'],
    object: true,
    valid: ['a constructor key', 'a prototype key', 'a key that is an address'],
    later: { 'an empty object': 'MissingTemplateField' },
  },
  {
    label: 'data.candidateName (read by the template)',
    path: ['data', 'candidateName'],
    string: {},
    // Data values are the template's business: only what would break the core is refused here.
    valid: stringVariants(undefined)
      .map((v) => v.name)
      .filter((n) => !/surrogate|empty string/.test(n)),
    later: Object.fromEntries(
      [...WRONG_TYPES, 'empty string', 'missing', 'an integer beyond 2^53'].map((n) => [
        n,
        'MissingTemplateField',
      ]),
    ),
  },
  {
    label: 'data.salary.amount (not read by the template)',
    path: ['data', 'salary', 'amount'],
    string: {},
    valid: [
      ...stringVariants(undefined)
        .map((v) => v.name)
        .filter((n) => !/surrogate/.test(n)),
      ...WRONG_TYPES,
      'an integer beyond 2^53',
      'missing',
    ],
  },
  { label: 'to', path: ['to'] },
  { label: 'to[0]', path: ['to', 0], object: true },
  { label: 'to[0].address', path: ['to', 0, 'address'], string: { max: 254 } },
  {
    label: 'to[0].name',
    path: ['to', 0, 'name'],
    string: { max: 256 },
    valid: ['empty string', 'missing', ...NICE_TEXT],
  },
  { label: 'cc', path: ['cc'], valid: ['missing', 'an empty list'] },
  { label: 'cc[0].address', path: ['cc', 0, 'address'], string: { max: 254 } },
  {
    label: 'cc[0].name',
    path: ['cc', 0, 'name'],
    string: { max: 256 },
    valid: ['empty string', 'missing', ...NICE_TEXT],
  },
  { label: 'bcc', path: ['bcc'], valid: ['missing', 'an empty list'] },
  { label: 'bcc[0].address', path: ['bcc', 0, 'address'], string: { max: 254 } },
  { label: 'replyTo', path: ['replyTo'], valid: ['missing', 'an empty list'] },
  { label: 'replyTo[0].address', path: ['replyTo', 0, 'address'], string: { max: 254 } },
  {
    label: 'replyTo[0].name',
    path: ['replyTo', 0, 'name'],
    string: { max: 256 },
    valid: ['empty string', 'missing', ...NICE_TEXT],
  },
  { label: 'attachments', path: ['attachments'], valid: ['missing', 'an empty list'] },
  { label: 'attachments[0]', path: ['attachments', 0], object: true },
  {
    label: 'attachments[0].name',
    path: ['attachments', 0, 'name'],
    string: { max: 255 },
    valid: NICE_TEXT,
  },
  { label: 'attachments[0].contentType', path: ['attachments', 0, 'contentType'], string: { max: 255 } },
  {
    label: 'attachments[0].contentBytes',
    path: ['attachments', 0, 'contentBytes'],
    string: {},
    // "Infinity" and 60 000 a's happen to be valid base64.
    valid: ['Infinity', '60 000 characters'],
  },
  {
    label: 'attachments[1].blob',
    path: ['attachments', 1, 'blob'],
    withBlob: true,
    // Inside the message's own folder, so that only the hostile part can be wrong.
    string: { max: 1024 - 'CAND-777/'.length, wrap: (s) => `CAND-777/${s}` },
    later: Object.fromEntries(NICE_TEXT.map((n) => [n, 'AttachmentNotFound'])),
  },
  {
    label: 'headers',
    path: ['headers'],
    object: true,
    valid: ['missing', 'an empty object'],
  },
  {
    label: 'headers.X-Requisition',
    path: ['headers', 'X-Requisition'],
    string: { max: 500 },
    valid: ['empty string', 'missing', ...NICE_TEXT],
  },
  { label: 'importance', path: ['importance'], string: {}, valid: ['missing'] },
  { label: 'saveToSentItems', path: ['saveToSentItems'], valid: ['missing', 'true'] },
  { label: 'notBefore', path: ['notBefore'], string: {}, valid: ['missing'] },
  { label: 'expiresAt', path: ['expiresAt'], string: {}, valid: ['missing'] },
  { label: 'requestedAt', path: ['requestedAt'], string: {}, valid: ['missing'] },
  {
    label: 'correlationId',
    path: ['correlationId'],
    string: { max: 128 },
    valid: ['missing', ...NAN_LIKE],
  },
];

interface Case {
  name: string;
  text: string;
  expect: Expect;
  withBlob: boolean;
  /** The hostile value, when it is a string worth looking for in reasons. */
  injected?: string;
}

function baseOf(field: Field): Record<string, unknown> {
  return structuredClone(everyFieldMessage({ withBlob: field.withBlob === true }));
}

/** The object at `path` (the parent of the field). */
function containerAt(root: Record<string, unknown>, path: Path): Record<string | number, unknown> {
  let current: unknown = root;
  for (const key of path) current = (current as Record<string | number, unknown>)[key];
  return current as Record<string | number, unknown>;
}

function withValue(field: Field, variant: Variant): string {
  const root = baseOf(field);
  const parent = containerAt(root, field.path.slice(0, -1));
  const key = field.path.at(-1) as string | number;
  if (variant.missing) Reflect.deleteProperty(parent, key);
  else {
    // A raw marker stays as it is, or the raw JSON could not replace it.
    const wrap = variant.raw === undefined ? field.string?.wrap : undefined;
    parent[key] = typeof variant.value === 'string' && wrap ? wrap(variant.value) : variant.value;
  }
  const text = asText(root);
  return variant.raw === undefined ? text : text.replace(JSON.stringify(RAW), variant.raw);
}

function withKey(field: Field, key: string): string {
  const root = baseOf(field);
  const target = field.path.length === 0 ? root : containerAt(root, field.path);
  // defineProperty, not assignment: `target.__proto__ = …` would set the prototype, not a key.
  Object.defineProperty(target, key, { value: 'x', enumerable: true, configurable: true, writable: true });
  return asText(root);
}

function expectationOf(field: Field, variant: string): Expect {
  if (field.valid?.includes(variant)) return 'sent';
  const later = field.later?.[variant];
  return later === undefined ? 'rejected' : `failed:${later}`;
}

function casesOf(field: Field): Case[] {
  const cases: Case[] = [];
  const add = (variant: string, text: string, injected?: unknown) => {
    cases.push({
      name: `${field.label} × ${variant}`,
      text,
      expect: expectationOf(field, variant),
      withBlob: field.withBlob === true,
      ...(typeof injected === 'string' ? { injected } : {}),
    });
  };
  if (field.path.length > 0) {
    const variants = [...(field.string ? stringVariants(field.string.max) : []), ...TYPE_VARIANTS];
    for (const v of variants) add(v.name, withValue(field, v), v.value);
  }
  // (A reason may say "__proto__": that names the rule, not the producer's key.)
  if (field.object) {
    for (const k of KEY_VARIANTS)
      add(k.name, withKey(field, k.key), k.key === '__proto__' ? undefined : k.key);
  }
  return cases;
}

const sample = asText(everyFieldMessage());
// Whole texts, most of them not a message at all. (A text over 64 KB is refused as MessageTooLarge by
// decoding, see decode.test.ts; it cannot come from the queue, whose limit is the same, and so could
// not go to the poison queue either.)
const RAW_TEXTS: [string, string, Expect][] = [
  ['empty text', '', 'rejected'],
  ['white space', ' \n\t ', 'rejected'],
  ['a byte-order mark alone', '\ufeff', 'rejected'],
  ['prose', 'Dear Zebulon Quartermaine, welcome', 'rejected'],
  ['truncated JSON', sample.slice(0, 200), 'rejected'],
  ['JSON with trailing text', `${sample} and more`, 'rejected'],
  ['a JSON list', '[1,2,3]', 'rejected'],
  ['JSON null', 'null', 'rejected'],
  ['a JSON string', '"Zebulon Quartermaine"', 'rejected'],
  ['a NUL byte outside any string', `${sample}\u0000`, 'rejected'],
  ['lists nested 30 000 deep', `${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'rejected'],
  ['objects nested 10 000 deep', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'rejected'],
  [
    'an unescaped lone surrogate inside a string',
    sample.replace('Zebulon Quartermaine', 'Zeb\ud800'),
    'rejected',
  ],
  // JSON.parse keeps the last of duplicate keys, and so does every hash of the parsed message.
  ['a duplicate key, the last one valid', sample.replace('{', '{"businessId":"CAND/777",'), 'sent'],
  ['a valid message', sample, 'sent'],
];

const CASES: Case[] = [
  ...RAW_TEXTS.map(([name, text, expect]) => ({ name: `raw text × ${name}`, text, expect, withBlob: false })),
  ...FIELDS.flatMap(casesOf),
];

/** Every string in a value (ledger rows, telemetry items): none may be unstorable. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out);
    }
  }
  return out;
}

/**
 * The message's own personal data. A value longer than any name or address is not a needle, and one
 * with a lone surrogate is looked for in pieces (the scanner URL-encodes needles, which needs
 * well-formed text).
 */
function needlesOf(text: string): string[] {
  try {
    return piiNeedles(text)
      .flatMap((n) => (hasLoneSurrogate(n) ? n.split(/[\ud800-\udfff]/) : [n]))
      .filter((n) => n.length >= 5 && n.length <= 300);
  } catch {
    return []; // not JSON: the sample's needles still apply
  }
}

const SAMPLE_NEEDLES = piiNeedles(asText(everyFieldMessage({ withBlob: true })));
/** A field path made only of contract field names, placeholders and indices. */
const SAFE_PATH = /^(\(message\)|\*|[A-Za-z][A-Za-z0-9-]*)(\.(\*|[A-Za-z][A-Za-z0-9-]*)|\[\d+\])*…?$/;

describe('the bad-input corpus, through the delivery core', () => {
  it('covers every top-level field of contract v1', () => {
    const covered = new Set(FIELDS.map((f) => f.path[0]).filter((k) => k !== undefined));
    expect([...covered].sort()).toEqual(Object.keys(messageSchemaV1.shape).sort());
    expect(CASES.length).toBeGreaterThan(600);
  });

  it.each(CASES.map((c): [string, Expect, Case] => [c.name, c.expect, c]))('%s → %s', async (_n, _e, c) => {
    const h = createHarness({ files: { [EVERY_FIELD_BLOB]: Buffer.from('%PDF-1.7 offer') } });
    // Resolves: an exception here would make the host retry the message until it poisons it blind.
    const report = await h.deliver(c.text);

    if (c.expect === 'sent') {
      expect(report.outcome, report.code).toBe('sent');
    } else {
      expect(report.outcome).toBe('failed');
      if (c.expect === 'rejected') expect(DECODE_CODES).toContain(report.code);
      else expect(report.code).toBe(c.expect.slice('failed:'.length));
      expect(h.poison.texts()).toContain(c.text);
      const row = h.ledger.snapshot().records.find((r) => r.key === report.key);
      expect(row?.state).toBe('failed');
      const reason = row?.reason;
      if (reason?.code === 'InvalidMessage') {
        expect(reason.fieldPaths?.length).toBeGreaterThan(0);
        for (const path of reason.fieldPaths ?? []) expect(path).toMatch(SAFE_PATH);
      }
      if (c.expect === 'rejected' && c.injected !== undefined && c.injected.length >= 5) {
        expect(`${reason?.detail} ${reason?.fieldPaths?.join(' ')}`).not.toContain(c.injected);
      }
    }

    // Nothing written anywhere could break a storage SDK, or carries the sample's personal data.
    const written = { items: h.items, ledger: h.ledger.snapshot() };
    expect(strings(written).filter(hasLoneSurrogate)).toEqual([]);
    const haystack = JSON.stringify(written);
    expect(findPii(haystack, [...SAMPLE_NEEDLES, ...needlesOf(c.text)]).map((f) => f.needle)).toEqual([]);

    // And the worker is not stuck on it: the next good message goes out.
    const next = await h.deliver(asText(validMessage({ idempotencyKey: 'the-next-good-message' })));
    expect(next.outcome).toBe('sent');
  });
});
