import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/core/decode.js';
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
    expect(issueFor(asText(m), 'idempotencykey')).toBe('is not a field of contract v1');
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
  ])('refuses a businessId with a %s', (_name, businessId) => {
    expect(issueFor(asText(validMessage({ businessId })), 'businessId')).toBe(
      'must not contain / \\ # ? @ or control characters',
    );
  });

  it('accepts a businessId with unicode, quotes and tildes', () => {
    expect(decodeMessage(asText(validMessage({ businessId: "O'Brien~Zoë-1" }))).ok).toBe(true);
  });

  it('refuses a CR/LF in a producer header value', () => {
    const text = asText(validMessage({ headers: { 'X-Requisition': 'R-77\r\nBcc: someone@example.net' } }));
    expect(issueFor(text, 'headers.X-Requisition')).toBe(
      'must not contain line breaks or control characters',
    );
  });

  it('refuses header names that are not X- headers, and reserved ones', () => {
    expect(issueFor(asText(validMessage({ headers: { Subject: 'x' } })), 'headers.Subject')).toBe(
      'header names must match ^X-[A-Za-z0-9-]+$',
    );
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
