import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/core/decode.js';
import { hasLoneSurrogate, WELL_FORMED } from '../../src/core/text-rules.js';
import { asText, validMessage } from '../support/messages.js';

function rejection(text: string) {
  const d = decodeMessage(text);
  if (d.ok) throw new Error('expected a rejection');
  return d;
}

const issueFor = (text: string, path: string) => rejection(text).issues.find((i) => i.path === path)?.reason;

describe('decoding a queue message against contract v1', () => {
  it('accepts a valid message and applies the documented defaults', () => {
    const d = decodeMessage(asText(validMessage()));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.message.saveToSentItems).toBe(true);
    expect(d.message.importance).toBe('normal');
    expect(d.message.cc).toEqual([]);
    expect(d.message.headers).toEqual({});
  });

  it('accepts a UTF-8 byte-order mark in front of the JSON', () => {
    expect(decodeMessage('\ufeff' + asText(validMessage())).ok).toBe(true);
  });

  it.each([
    ['prose', 'Dear Ada, welcome aboard'],
    // JSON.parse quotes the start of the input, quotes included: none of it may reach the reason.
    ['quotes at the start', 'Xa"ada.lovelace@example.org" is the address'],
    ['broken JSON', '{"to": "ada.lovelace@example.org" oops}'],
  ])('refuses text that is not JSON with InvalidJson, quoting none of it: %s', (_what, text) => {
    const r = rejection(text);
    expect(r.reason.code).toBe('InvalidJson');
    expect(r.reason.detail).toMatch(
      /^message is not JSON text \(invalid (at character \d+|from its first character)\)$/,
    );
    for (const fragment of ['Ada', 'ada', 'lovelace', 'exa']) expect(r.reason.detail).not.toContain(fragment);
  });

  it.each([['[1,2]'], ['"a string"'], ['42'], ['null']])('refuses JSON that is not an object: %s', (text) => {
    const r = rejection(text);
    expect(r.reason.code).toBe('InvalidMessage');
    expect(r.issues).toEqual([{ path: '(message)', reason: 'must be a JSON object' }]);
  });

  it('names a missing field', () => {
    const m = validMessage();
    delete (m as Record<string, unknown>).sender;
    expect(issueFor(asText(m), 'sender')).toBe('is required');
  });

  it('names a field of the wrong type', () => {
    expect(issueFor(asText(validMessage({ data: 'not an object' })), 'data')).toBe('must be an object');
    expect(issueFor(asText(validMessage({ data: ['a'] })), 'data')).toBe('must be an object');
    expect(issueFor(asText(validMessage({ version: 2 })), 'version')).toBe('must be 1');
  });

  it('refuses an unknown field instead of ignoring a typo', () => {
    const m = { ...validMessage(), idempotencykey: 'x' };
    // The key is the producer's, so it is not echoed; the field it resembles is the contract's.
    expect(issueFor(asText(m), '*')).toBe('is not a field of contract v1 (did you mean idempotencyKey?)');
  });

  it('refuses an invalid recipient address without echoing it', () => {
    const text = asText(validMessage({ to: [{ address: 'zebulon at example dot org' }] }));
    const r = rejection(text);
    expect(r.issues).toContainEqual({ path: 'to[0].address', reason: 'must be a valid email address' });
    expect(r.reason.detail).not.toContain('zebulon');
  });

  it('requires at least one "to" recipient and at most 500 in all', () => {
    expect(issueFor(asText(validMessage({ to: [] })), 'to')).toBe('must have at least one recipient');
    const many = Array.from({ length: 200 }, (_, i) => ({ address: `p${i}@example.org` }));
    const r = rejection(asText(validMessage({ to: many, cc: many, bcc: many })));
    expect(r.issues).toContainEqual({ path: 'to', reason: 'to + cc + bcc must be at most 500 recipients' });
  });

  it.each([
    ['slash', 'CAND/12345'],
    ['at sign', 'cand@12345'],
    ['backslash', 'CAND\\1'],
    ['hash', 'CAND#1'],
    ['question mark', 'CAND?1'],
    ['line feed', 'CAND\n1'],
    ['C1 control', 'CAND\u00851'],
    ['line separator', 'CAND\u20281'],
  ])('refuses a businessId with a %s', (_name, businessId) => {
    expect(issueFor(asText(validMessage({ businessId })), 'businessId')).toBe(
      'must not contain / \\ # ? @, line breaks or control characters',
    );
  });

  it('accepts a businessId with unicode, quotes and tildes', () => {
    expect(decodeMessage(asText(validMessage({ businessId: "O'Brien~Zoë-1" }))).ok).toBe(true);
  });

  it('refuses a CR/LF in a producer header value, naming no producer header', () => {
    const text = asText(validMessage({ headers: { 'X-Requisition': 'R-77\r\nBcc: someone@example.net' } }));
    expect(issueFor(text, 'headers.*')).toBe('must not contain line breaks or control characters');
  });

  it('refuses header names that are not X- headers, and reserved ones', () => {
    expect(issueFor(asText(validMessage({ headers: { Subject: 'x' } })), 'headers.*')).toBe(
      'header names must match ^X-[A-Za-z0-9-]+$',
    );
    expect(
      issueFor(asText(validMessage({ headers: { 'X-BUSINESS-ID': 'x' } })), 'headers.X-BUSINESS-ID'),
    ).toBe('is set by hr-courier and cannot be given');
    expect(
      issueFor(asText(validMessage({ headers: { 'X-Trace-Intent': 'x' } })), 'headers.X-Trace-Intent'),
    ).toBe('is set by hr-courier and cannot be given');
  });

  it('refuses six producer headers (Graph allows five in all, two are ours)', () => {
    const headers = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`X-H${i}`, 'v']));
    expect(issueFor(asText(validMessage({ headers })), 'headers')).toMatch(/at most 3 headers/);
    const four = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`X-H${i}`, 'v']));
    expect(issueFor(asText(validMessage({ headers: four })), 'headers')).toMatch(/at most 3 headers/);
  });

  it('refuses a message over 64 KB before parsing it', () => {
    const text = asText(validMessage({ data: { essay: 'x'.repeat(70_000) } }));
    expect(rejection(text).reason.code).toBe('MessageTooLarge');
  });

  it('refuses a malformed idempotency key and intent', () => {
    expect(issueFor(asText(validMessage({ idempotencyKey: 'has space' })), 'idempotencyKey')).toMatch(
      /1-200/,
    );
    expect(issueFor(asText(validMessage({ intent: 'Offer Letter' })), 'intent')).toMatch(/a-z 0-9/);
  });

  it('refuses expiresAt before notBefore, and dates without a time zone', () => {
    const text = asText(
      validMessage({ notBefore: '2026-12-02T00:00:00Z', expiresAt: '2026-12-01T00:00:00Z' }),
    );
    expect(issueFor(text, 'expiresAt')).toBe('must be later than notBefore');
    expect(issueFor(asText(validMessage({ notBefore: '2026-12-02 09:00' })), 'notBefore')).toMatch(
      /ISO 8601/,
    );
  });

  describe('claim-check blob paths', () => {
    const withBlob = (blob: string) => {
      const d = decodeMessage(
        asText(validMessage({ attachments: [{ name: 'offer.pdf', contentType: 'application/pdf', blob }] })),
      );
      return d.ok ? undefined : d.issues.find((i) => i.path === 'attachments[0].blob')?.reason;
    };
    it('accepts a path inside the businessId folder', () => {
      expect(withBlob('CAND-777/offer.pdf')).toBeUndefined();
      expect(withBlob('CAND-777/2026/offer.pdf')).toBeUndefined();
    });
    it.each([
      ['another businessId', 'CAND-778/offer.pdf'],
      ['a traversal', 'CAND-777/../CAND-778/offer.pdf'],
      ['a URL', 'https://evil.example.net/CAND-777/offer.pdf'],
      ['a leading slash', '/CAND-777/offer.pdf'],
      ['an encoded slash', 'CAND-777%2f..%2fCAND-778/offer.pdf'],
      ['an encoded dot', 'CAND-777/%2e%2e/x.pdf'],
      ['a backslash', 'CAND-777\\..\\x.pdf'],
      ['the folder itself', 'CAND-777/'],
      ['a query', 'CAND-777/offer.pdf?sv=2020'],
    ])('refuses %s', (_name, blob) => {
      expect(withBlob(blob)).toBeDefined();
    });
  });

  it('requires exactly one of contentBytes or blob on an attachment', () => {
    const both = {
      name: 'a.txt',
      contentType: 'text/plain',
      contentBytes: 'SGVsbG8=',
      blob: 'CAND-777/a.txt',
    };
    const r = rejection(asText(validMessage({ attachments: [both] })));
    expect(r.issues).toContainEqual({
      path: 'attachments[0]',
      reason: 'must have exactly one of contentBytes (inline) or blob (claim check)',
    });
    const bad = { name: 'a.txt', contentType: 'text/plain', contentBytes: '%%%' };
    expect(issueFor(asText(validMessage({ attachments: [bad] })), 'attachments[0].contentBytes')).toBe(
      'must be valid base64',
    );
  });

  it('files the rejection under the businessId when that part is valid', () => {
    const r = rejection(asText(validMessage({ sender: 'not-an-address' })));
    expect(r.businessId).toBe('CAND-777');
    expect(rejection(asText(validMessage({ businessId: 'a/b' }))).businessId).toBeUndefined();
  });

  it('never echoes odd producer keys, which could carry personal data', () => {
    const m = { ...validMessage(), 'zebulon@example.org': 1 };
    const r = rejection(asText(m));
    expect(JSON.stringify(r)).not.toContain('zebulon');
  });
});

/** The message's JSON text with `"@RAW@"` (a string value put there as a marker) replaced by raw JSON. */
function withRaw(overrides: Parameters<typeof validMessage>[0], raw: string): string {
  return asText(validMessage(overrides)).replace('"@RAW@"', raw);
}

/** `{"a":{"a":…1…}}`, `levels` objects deep. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const LONE = 'contains a lone surrogate (not well-formed Unicode)';

describe('hostile input: nesting depth (docs/architecture.md §4)', () => {
  it('refuses data nested thousands of levels deep, naming where the limit was crossed', () => {
    // ~12 KB: well under the size limit, deep enough to overflow a recursive walk.
    const text = withRaw({ data: { candidateName: 'Zebulon', extra: '@RAW@' } }, nested(3000));
    const r = rejection(text);
    expect(r.reason.code).toBe('InvalidMessage');
    expect(r.issues).toEqual([{ path: 'data.*.*.*.*.*.*.*…', reason: 'nested deeper than 32 levels' }]);
    expect(r.reason.fieldPaths).toEqual(['data.*.*.*.*.*.*.*…']);
    expect(r.reason.detail).toBe('data.*.*.*.*.*.*.*…: nested deeper than 32 levels');
  });

  it('counts the message itself as level 1: data may hold 30 more levels, not 31', () => {
    // message (1) › data (2) › extra (3) › … : `nested(n)` under data.extra reaches level n + 2.
    expect(decodeMessage(withRaw({ data: { extra: '@RAW@' } }, nested(30))).ok).toBe(true);
    expect(rejection(withRaw({ data: { extra: '@RAW@' } }, nested(31))).issues[0]?.reason).toBe(
      'nested deeper than 32 levels',
    );
  });

  it('refuses deep nesting anywhere, lists included', () => {
    const deepList = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const r = rejection(withRaw({ to: '@RAW@' }, deepList));
    expect(r.issues).toEqual([{ path: 'to[0][0][0][0][0][0][0]…', reason: 'nested deeper than 32 levels' }]);
  });
});

describe('hostile input: strings that are not well-formed UTF-16', () => {
  it.each([
    ['businessId', { businessId: 'CAND-\ud800' }, 'businessId'],
    ['a recipient name', { to: [{ address: 'z@example.org', name: 'Zebulon \udc00' }] }, 'to[0].name'],
    [
      'an attachment name',
      { attachments: [{ name: 'a\ud800.txt', contentType: 'text/plain', contentBytes: 'SGk=' }] },
      'attachments[0].name',
    ],
    [
      'a blob path',
      { attachments: [{ name: 'a.txt', contentType: 'text/plain', blob: 'CAND-777/\udfff.txt' }] },
      'attachments[0].blob',
    ],
    ['a header value', { headers: { 'X-Requisition': 'R-\ud83d' } }, 'headers.*'],
    ['a data value', { data: { candidateName: 'Zeb\ud83d' } }, 'data.*'],
    ['a data value in a list', { data: { candidateName: 'Z', conditions: ['ok', 'x\ud800'] } }, 'data.*[1]'],
  ])('refuses a lone surrogate in %s, naming the field', (_where, overrides, path) => {
    const r = rejection(asText(validMessage(overrides)));
    expect(r.reason.code).toBe('InvalidMessage');
    expect(r.issues).toContainEqual({ path, reason: LONE });
    expect(r.reason.fieldPaths).toContain(path);
  });

  it('refuses a lone surrogate in an object key, inside data or outside, without echoing the key', () => {
    const inData = rejection(asText(validMessage({ data: { candidateName: 'Z', 'Zeb\ud800': 1 } })));
    expect(inData.issues).toContainEqual({
      path: 'data.*',
      reason: 'is a key that contains a lone surrogate (not well-formed Unicode)',
    });
    const topLevel = rejection(asText({ ...validMessage(), 'Zeb\udc00': 1 }));
    expect(topLevel.issues).toContainEqual({
      path: '*',
      reason: 'is a key that contains a lone surrogate (not well-formed Unicode)',
    });
    expect(JSON.stringify([inData, topLevel])).not.toContain('Zeb');
  });

  it('does not file the rejection under a businessId that is not well-formed', () => {
    expect(rejection(asText(validMessage({ businessId: 'CAND-\ud800', sender: 'x' }))).businessId).toBe(
      undefined,
    );
  });

  it('finds exactly the strings String.prototype.isWellFormed refuses, with or without the u flag', () => {
    const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
    const unicode = new RegExp(WELL_FORMED.pattern.source, 'u');
    // Code units around and inside the surrogate range, in any order.
    const text = fc
      .array(fc.oneof(fc.integer({ min: 0xd7f0, max: 0xe010 }), fc.integer({ min: 0, max: 0xffff })), {
        maxLength: 12,
      })
      .map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(text, (s) => {
        expect(hasLoneSurrogate(s)).toBe(!isWellFormed(s));
        expect(WELL_FORMED.pattern.test(s)).toBe(isWellFormed(s));
        expect(unicode.test(s)).toBe(isWellFormed(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts surrogate pairs (emoji) wherever text is allowed', () => {
    const m = validMessage({
      businessId: 'CAND-😀',
      data: { candidateName: 'Zebulon 🎉', '🎉': ['👍🏽'] },
      to: [{ address: 'z@example.org', name: 'Zebulon 🎉' }],
      attachments: [{ name: '📄 offer.txt', contentType: 'text/plain', contentBytes: 'SGk=' }],
    });
    expect(decodeMessage(asText(m)).ok).toBe(true);
  });
});

describe('hostile input: keys with a special meaning and numbers JSON cannot hold', () => {
  it('refuses a __proto__ key anywhere in data (zod would drop it silently from the derived key)', () => {
    const data = JSON.parse('{"candidateName":"Z","nested":{"__proto__":{"admin":true}}}') as unknown;
    const r = rejection(asText(validMessage({ data })));
    expect(r.issues).toContainEqual({
      path: 'data.*.*',
      reason: 'is a key named __proto__, which is not allowed',
    });
  });

  it('accepts constructor and prototype as ordinary data keys', () => {
    const data = { candidateName: 'Z', constructor: 'x', prototype: { constructor: 1 } };
    expect(decodeMessage(asText(validMessage({ data }))).ok).toBe(true);
  });

  it('refuses a number too large for a double (1e999 would hash like null)', () => {
    const r = rejection(withRaw({ data: { candidateName: 'Z', salary: '@RAW@' } }, '1e999'));
    expect(r.issues).toContainEqual({ path: 'data.*', reason: 'must be a finite number' });
  });
});

describe('hostile input: privacy of reasons and field paths', () => {
  it('never echoes a producer key, even one shaped like an identifier', () => {
    const r = rejection(asText({ ...validMessage(), ZebulonQuartermaine: 1 }));
    expect(r.issues).toEqual([{ path: '*', reason: 'is not a field of contract v1' }]);
    expect(JSON.stringify(r)).not.toContain('Zebulon');
  });

  it('names unknown keys inside recipients and attachments by placeholder, once', () => {
    const r = rejection(
      asText(validMessage({ to: [{ address: 'z@example.org', Zebulon: 1, Quartermaine: 2, adress: 3 }] })),
    );
    expect(r.issues).toEqual([
      { path: 'to[0].*', reason: 'is not a field of contract v1' },
      { path: 'to[0].*', reason: 'is not a field of contract v1 (did you mean address?)' },
    ]);
    expect(JSON.stringify(r)).not.toMatch(/Zebulon|Quartermaine|adress/);
  });

  it('does not name a producer header, whatever is wrong with it', () => {
    const r = rejection(asText(validMessage({ headers: { 'X-Zebulon-Quartermaine': 'a\nb' } })));
    expect(r.issues).toEqual([
      { path: 'headers.*', reason: 'must not contain line breaks or control characters' },
    ]);
    expect(JSON.stringify(r)).not.toContain('Zebulon');
  });

  it('keeps the field list short however many unknown keys there are', () => {
    const junk = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const r = rejection(asText({ ...validMessage(), ...junk }));
    expect(r.reason.fieldPaths).toEqual(['*']);
  });
});

describe('hostile input: correlationId', () => {
  it.each([
    ['an email address', 'zebulon.quartermaine@example.org'],
    [
      'a traceparent with an address appended',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01@x.org',
    ],
    ['a space', 'trace 1'],
    ['129 characters', 'a'.repeat(129)],
    ['a slash', 'trace/1'],
  ])('refuses %s', (_what, correlationId) => {
    const r = rejection(asText(validMessage({ correlationId })));
    expect(r.issues).toContainEqual({
      path: 'correlationId',
      reason:
        'must be 1-128 characters of A-Z a-z 0-9 . _ : - (an opaque trace id, such as a W3C traceparent)',
    });
    expect(JSON.stringify(r)).not.toContain('zebulon');
  });

  it.each([
    ['a W3C traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a GUID', '0af76519-16cd-43dd-8448-eb211c80319c'],
    ['128 characters', 'a'.repeat(128)],
  ])('accepts %s', (_what, correlationId) => {
    expect(decodeMessage(asText(validMessage({ correlationId }))).ok).toBe(true);
  });
});

describe('hostile input: characters that disguise what a reader sees', () => {
  const FORMATTING = 'must not contain bidirectional or invisible formatting characters';
  const attachmentNamed = (name: string) =>
    asText(validMessage({ attachments: [{ name, contentType: 'text/plain', contentBytes: 'SGk=' }] }));

  it.each([
    ['a right-to-left override (U+202E)', 'offer\u202Etxt.exe'],
    ['a left-to-right embedding (U+202A)', 'offer\u202A.txt'],
    ['a right-to-left isolate (U+2067)', 'offer\u2067.txt'],
    ['a pop directional isolate (U+2069)', 'offer\u2069.txt'],
    ['a left-to-right mark (U+200E)', 'offer\u200E.txt'],
    ['a right-to-left mark (U+200F)', 'offer\u200F.txt'],
    ['an Arabic letter mark (U+061C)', 'offer\u061C.txt'],
    ['a zero-width space (U+200B)', 'offer\u200B.txt'],
    ['a byte-order mark (U+FEFF)', 'offer\uFEFF.txt'],
    ['a soft hyphen (U+00AD)', 'off\u00ADer.txt'],
  ])('refuses %s in an attachment name', (_what, name) => {
    expect(issueFor(attachmentNamed(name), 'attachments[0].name')).toBe(FORMATTING);
  });

  it.each([
    ['a line separator (U+2028)', 'offer\u2028.txt'],
    ['a NUL', 'offer\u0000.txt'],
    ['a tab', 'offer\t.txt'],
  ])('refuses %s in an attachment name', (_what, name) => {
    expect(issueFor(attachmentNamed(name), 'attachments[0].name')).toBe(
      'must not contain path separators, line breaks or control characters',
    );
  });

  it.each([
    ['combining marks', 'Re\u0301sume\u0301 Zoe\u0308.txt'],
    ['a zero-width non-joiner, as Persian needs', 'نامه\u200Cها.txt'],
    ['an emoji', '📄 offer.txt'],
  ])('accepts %s in an attachment name', (_what, name) => {
    expect(decodeMessage(attachmentNamed(name)).ok).toBe(true);
  });

  it.each([
    ['a right-to-left override', 'Payroll \u202Egro.elpmaxe@', FORMATTING],
    ['a line separator', 'Zebulon\u2028Bcc', 'must not contain line breaks or control characters'],
    ['a zero-width space', 'Zebulon\u200B', FORMATTING],
  ])('refuses %s in a recipient display name (it reaches the To header)', (_what, name, reason) => {
    const text = asText(validMessage({ to: [{ address: 'z@example.org', name }] }));
    expect(issueFor(text, 'to[0].name')).toBe(reason);
  });

  it('refuses bidi controls in a businessId and line separators in a header value', () => {
    expect(issueFor(asText(validMessage({ businessId: 'CAND-\u202E777' })), 'businessId')).toBe(FORMATTING);
    expect(issueFor(asText(validMessage({ headers: { 'X-Requisition': 'R\u2029' } })), 'headers.*')).toBe(
      'must not contain line breaks or control characters',
    );
  });
});
