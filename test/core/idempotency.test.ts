import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { messageSchemaV1, type HrMailMessage } from '../../src/core/contract.js';
import { deriveKey, keyOf, payloadHash, rawKey, recipientDomains } from '../../src/core/idempotency.js';
import { validMessage } from '../support/messages.js';

const parse = (overrides: Parameters<typeof validMessage>[0] = {}): HrMailMessage =>
  messageSchemaV1.parse({ ...validMessage(overrides), idempotencyKey: undefined });

describe('the derived idempotency key', () => {
  it('is stable for the same message whatever the key order or address case', () => {
    const a = parse({ data: { a: 1, b: { c: 2, d: 3 } }, to: [{ address: 'Ada@Example.org' }] });
    const b = parse({ data: { b: { d: 3, c: 2 }, a: 1 }, to: [{ address: 'ada@example.org' }] });
    expect(deriveKey(a)).toBe(deriveKey(b));
    expect(deriveKey(a)).toMatch(/^d1-[0-9a-f]{40}$/);
  });

  it('does not depend on recipient order', () => {
    const a = parse({ to: [{ address: 'a@example.org' }, { address: 'b@example.org' }] });
    const b = parse({ to: [{ address: 'b@example.org' }, { address: 'a@example.org' }] });
    expect(deriveKey(a)).toBe(deriveKey(b));
  });

  it.each([
    ['businessId', { businessId: 'CAND-778' }],
    ['intent', { intent: 'offer-revised' }],
    ['template', { template: 'other' }],
    ['templateVersion as given', { templateVersion: '2' }],
    ['a recipient', { to: [{ address: 'someone.else@example.org' }] }],
    [
      'moving a recipient from to to cc',
      { to: [{ address: 'x@example.org' }], cc: [{ address: 'zebulon.quartermaine@example.org' }] },
    ],
    ['data', { data: { candidateName: 'Zebulon Quartermaine', startDate: '2027-01-05' } }],
    ['the requestedAt day', { requestedAt: '2026-11-26T00:00:00Z' }],
  ])('changes when %s changes', (_what, overrides) => {
    const base = parse({ requestedAt: '2026-11-25T10:00:00Z' });
    const changed = parse({ requestedAt: '2026-11-25T10:00:00Z', ...overrides });
    expect(deriveKey(changed)).not.toBe(deriveKey(base));
  });

  it('ignores the time of day of requestedAt and everything outside its inputs', () => {
    const morning = parse({ requestedAt: '2026-11-25T08:00:00Z', importance: 'high' });
    const evening = parse({ requestedAt: '2026-11-25T22:59:00Z', headers: { 'X-Requisition': 'R-1' } });
    expect(deriveKey(morning)).toBe(deriveKey(evening));
  });

  it('uses the UTC day: 23:30 at UTC-2 is the next UTC day', () => {
    const late = parse({ requestedAt: '2026-11-25T23:30:00-02:00' });
    const nextDay = parse({ requestedAt: '2026-11-26T09:00:00Z' });
    expect(deriveKey(late)).toBe(deriveKey(nextDay));
  });

  it('is replaced by the given key when there is one', () => {
    const m = messageSchemaV1.parse(validMessage());
    expect(keyOf(m)).toEqual({ key: 'offer-CAND-777-2026-11', source: 'given' });
    expect(keyOf(parse()).source).toBe('derived');
  });
});

describe('the payload hash', () => {
  it('is insensitive to formatting and key order but sees every change', () => {
    const a = { version: 1, data: { x: 1, y: [1, 2] } };
    const b = JSON.parse('{ "data": { "y": [1, 2], "x": 1 },\n "version": 1 }') as unknown;
    expect(payloadHash(a)).toBe(payloadHash(b));
    expect(payloadHash({ ...a, importance: 'high' })).not.toBe(payloadHash(a));
    expect(payloadHash({ version: 1, data: { x: 1, y: [2, 1] } })).not.toBe(payloadHash(a));
  });
});

/** The recursive definition canonicalJson had: the iterative one must write exactly the same text. */
function recursiveCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value) as string | undefined;
    return s ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(recursiveCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recursiveCanonicalJson(v)}`).join(',')}}`;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('writes what it always wrote, so no derived key or payload hash changes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => canonicalJson(v) === recursiveCanonicalJson(v)),
      { numRuns: 500 },
    );
    const odd = { u: undefined, a: [undefined, () => 1, Symbol('s')], z: { '\ud83d\ude00': 1, '\uffff': 2 } };
    expect(canonicalJson(odd)).toBe(recursiveCanonicalJson(odd));
  });

  it('orders keys by UTF-16 code unit (an astral character sorts before U+FFFF), as it always did', () => {
    expect(canonicalJson({ '\uffff': 1, '\ud83d\ude00': 2 })).toBe('{"😀":2,"\uffff":1}');
  });

  it('does not overflow the stack on a value nested far deeper than any message may be', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = i % 2 === 0 ? [deep] : { a: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBe(100_000 * 2 + 50_000 * 4 + 1);
    expect(() => payloadHash(deep)).not.toThrow();
  });
});

describe('raw keys and recipient domains', () => {
  it('keys unreadable input by the hash of its exact text', () => {
    expect(rawKey('not json')).toBe(rawKey('not json'));
    expect(rawKey('not json')).not.toBe(rawKey('not json '));
    expect(rawKey('x')).toMatch(/^raw-[0-9a-f]{40}$/);
  });

  it('lists each recipient domain once, lower-cased, without local parts', () => {
    const m = parse({
      to: [{ address: 'A@Example.org' }],
      cc: [{ address: 'b@example.org' }],
      bcc: [{ address: 'c@Example.NET' }],
    });
    expect(recipientDomains(m)).toEqual(['example.net', 'example.org']);
  });
});
