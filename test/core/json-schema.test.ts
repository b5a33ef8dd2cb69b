import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/core/decode.js';
import { contractJsonSchema, contractJsonSchemaText } from '../../src/core/json-schema.js';
import { asText, validMessage } from '../support/messages.js';

describe('the published JSON Schema', () => {
  it('is exactly what the validator generates (run `npm run schema` after changing the contract)', async () => {
    const committed = await readFile(
      new URL('../../schema/hr-mail-message.v1.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(contractJsonSchemaText());
  });

  it('describes the required fields and refuses unknown ones', () => {
    const schema = contractJsonSchema() as { required: string[]; additionalProperties: unknown };
    expect(schema.required.sort()).toEqual([
      'businessId',
      'data',
      'intent',
      'sender',
      'template',
      'to',
      'version',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('says in its description what a JSON Schema cannot express', () => {
    const { description } = contractJsonSchema() as { description: string };
    expect(description).toMatch(/at most 32 levels/);
    expect(description).toMatch(/500 recipients/);
    expect(description).toMatch(/\{businessId\}\//);
    expect(description).toMatch(/expiresAt later than notBefore/);
  });
});

// ajv (draft 2020-12, as the schema declares) is what a producer in another language would use: the
// published schema as it is, `$schema` included. ajv compiles `pattern` with the `u` flag, zod without:
// the patterns are written to mean the same either way (src/core/text-rules.ts), checked below.
function schemaValidator(): (value: unknown) => boolean {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(contractJsonSchema());
  return (value) => validate(value);
}

/** The message's JSON text with `"@RAW@"` replaced by raw JSON (for input JSON.stringify cannot write). */
const withRaw = (overrides: Parameters<typeof validMessage>[0], raw: string) =>
  asText(validMessage(overrides)).replace('"@RAW@"', raw);
const emoji = (n: number) => '😀'.repeat(n);
const attachment = (a: Record<string, unknown>) => ({
  attachments: [{ name: 'offer.txt', contentType: 'text/plain', contentBytes: 'SGk=', ...a }],
});
const blob = (path: string) => attachment({ contentBytes: undefined, blob: path });
const headers = (h: Record<string, string>) => ({ headers: h });
const recipients = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ address: `${tag}${i}@example.org` }));
const samples = readdirSync(new URL('../../samples/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f): [string, string] => [
    `sample ${f}`,
    readFileSync(new URL(`../../samples/${f}`, import.meta.url), 'utf8'),
  ]);

/** Tricky input, as JSON text: the worker and the published schema must give the same answer. */
const AGREE: [string, string][] = [
  ...samples,
  ['the test message', asText(validMessage())],
  ['businessId with a slash', asText(validMessage({ businessId: 'CAND/1' }))],
  ['businessId with an at sign', asText(validMessage({ businessId: 'cand@1' }))],
  ['businessId with a C1 control', asText(validMessage({ businessId: 'CAND\u00851' }))],
  ['businessId with a line separator', asText(validMessage({ businessId: 'CAND\u20281' }))],
  ['businessId with a bidi override', asText(validMessage({ businessId: 'CAND\u202E1' }))],
  ['businessId with a lone surrogate', asText(validMessage({ businessId: 'CAND\ud8001' }))],
  ['businessId of 200 emoji', asText(validMessage({ businessId: emoji(200) }))],
  ['businessId of 201 emoji', asText(validMessage({ businessId: emoji(201) }))],
  ['businessId of 200 letters', asText(validMessage({ businessId: 'a'.repeat(200) }))],
  ['businessId of 201 letters', asText(validMessage({ businessId: 'a'.repeat(201) }))],
  ['businessId empty', asText(validMessage({ businessId: '' }))],
  ['businessId with combining marks', asText(validMessage({ businessId: 'Zoe\u0308-1' }))],
  [
    'name with a bidi override',
    asText(validMessage({ to: [{ address: 'a@example.org', name: 'a\u202Eb' }] })),
  ],
  ['name with a line feed', asText(validMessage({ to: [{ address: 'a@example.org', name: 'a\nb' }] }))],
  ['name of 256 emoji', asText(validMessage({ to: [{ address: 'a@example.org', name: emoji(256) }] }))],
  ['name of 257 emoji', asText(validMessage({ to: [{ address: 'a@example.org', name: emoji(257) }] }))],
  [
    'name with a lone surrogate',
    asText(validMessage({ to: [{ address: 'a@example.org', name: '\udc00' }] })),
  ],
  ['attachment name with U+202E', asText(validMessage(attachment({ name: 'a\u202Etxt.exe' })))],
  ['attachment name with U+200B', asText(validMessage(attachment({ name: 'a\u200B.txt' })))],
  ['attachment name with a slash', asText(validMessage(attachment({ name: 'a/b.txt' })))],
  ['attachment name with a tab', asText(validMessage(attachment({ name: 'a\t.txt' })))],
  ['attachment name of 255 emoji', asText(validMessage(attachment({ name: emoji(255) })))],
  ['attachment name of 256 emoji', asText(validMessage(attachment({ name: emoji(256) })))],
  ['attachment name with ZWNJ', asText(validMessage(attachment({ name: 'نامه\u200Cها.txt' })))],
  ['attachment content type with a space', asText(validMessage(attachment({ contentType: 'text/ plain' })))],
  ['attachment base64 broken', asText(validMessage(attachment({ contentBytes: 'SGk' })))],
  [
    'attachment with both contentBytes and blob',
    asText(validMessage(attachment({ blob: 'CAND-777/a.txt' }))),
  ],
  [
    'attachment with neither contentBytes nor blob',
    asText(validMessage(attachment({ contentBytes: undefined }))),
  ],
  ['blob path inside the folder', asText(validMessage(blob('CAND-777/offer.pdf')))],
  ['blob path that is a URL', asText(validMessage(blob('https://x.example/CAND-777/a')))],
  ['blob path with ..', asText(validMessage(blob('CAND-777/../CAND-778/a')))],
  ['blob path with %2f', asText(validMessage(blob('CAND-777/a%2f..%2fb')))],
  ['blob path with a leading slash', asText(validMessage(blob('/CAND-777/a')))],
  ['blob path with //', asText(validMessage(blob('CAND-777//a')))],
  ['blob path with a query', asText(validMessage(blob('CAND-777/a?sv=1')))],
  ['blob path with a backslash', asText(validMessage(blob('CAND-777/a\\b')))],
  ['blob path with a lone surrogate', asText(validMessage(blob('CAND-777/\ud800')))],
  ['header X-Trace-Intent', asText(validMessage(headers({ 'X-Trace-Intent': 'x' })))],
  ['header X-BUSINESS-ID', asText(validMessage(headers({ 'X-BUSINESS-ID': 'x' })))],
  ['header X-Business-Identity', asText(validMessage(headers({ 'X-Business-Identity': 'x' })))],
  ['header Subject', asText(validMessage(headers({ Subject: 'x' })))],
  ['header value with CRLF', asText(validMessage(headers({ 'X-R': 'a\r\nBcc: x@y.z' })))],
  ['header value with U+2028', asText(validMessage(headers({ 'X-R': 'a\u2028b' })))],
  ['three headers', asText(validMessage(headers({ 'X-A': '1', 'X-B': '2', 'X-C': '3' })))],
  ['four headers', asText(validMessage(headers({ 'X-A': '1', 'X-B': '2', 'X-C': '3', 'X-D': '4' })))],
  ['correlationId with an at sign', asText(validMessage({ correlationId: 'a@example.org' }))],
  ['correlationId of 128', asText(validMessage({ correlationId: 'a'.repeat(128) }))],
  ['correlationId of 129', asText(validMessage({ correlationId: 'a'.repeat(129) }))],
  ['data with a lone surrogate deep inside', asText(validMessage({ data: { a: [{ b: 'x\ud800' }] } }))],
  ['data with a lone surrogate key', asText(validMessage({ data: { a: { '\udc00': 1 } } }))],
  ['data with a __proto__ key', withRaw({ data: { a: '@RAW@' } }, '{"__proto__":{"x":1}}')],
  [
    'data with constructor and prototype keys',
    asText(validMessage({ data: { constructor: { prototype: 1 } } })),
  ],
  ['data with 1e999', withRaw({ data: { a: '@RAW@' } }, '1e999')],
  ['data with -1e999', withRaw({ data: { a: ['@RAW@'] } }, '-1e999')],
  ['data with 1e308', withRaw({ data: { a: '@RAW@' } }, '1e308')],
  ['data with emoji and combining marks', asText(validMessage({ data: { 'k😀': 'Zoe\u0308 🎉' } }))],
  ['data with NUL and U+2028 (the template decides)', asText(validMessage({ data: { a: '\u0000\u2028' } }))],
  ['data that is a list', asText(validMessage({ data: ['a'] }))],
  ['version 2', asText(validMessage({ version: 2 }))],
  ['an unknown field', asText({ ...validMessage(), idempotencykey: 'x' })],
  ['an unknown recipient field', asText(validMessage({ to: [{ address: 'a@example.org', x: 1 }] }))],
  ['an invalid address', asText(validMessage({ to: [{ address: 'a at example.org' }] }))],
  ['no sender', asText({ ...validMessage(), sender: undefined })],
  ['notBefore without a zone', asText(validMessage({ notBefore: '2026-12-01T09:00:00' }))],
  ['importance urgent', asText(validMessage({ importance: 'urgent' }))],
  ['saveToSentItems as a string', asText(validMessage({ saveToSentItems: 'true' }))],
  ['templateVersion 0', asText(validMessage({ templateVersion: '0' }))],
];

/** Rules the validator keeps that no JSON Schema can express: the description states each. */
const VALIDATOR_ONLY: [string, string][] = [
  ['data nested 40 levels', withRaw({ data: { a: '@RAW@' } }, `${'['.repeat(40)}${']'.repeat(40)}`)],
  [
    'to + cc + bcc over 500',
    asText(validMessage({ to: recipients(200, 't'), cc: recipients(200, 'c'), bcc: recipients(101, 'b') })),
  ],
  ['a blob under another businessId', asText(validMessage(blob('CAND-778/offer.pdf')))],
  [
    'expiresAt before notBefore',
    asText(validMessage({ notBefore: '2026-12-02T00:00:00Z', expiresAt: '2026-12-01T00:00:00Z' })),
  ],
];

describe('the worker and the published JSON Schema agree', () => {
  const schemaAccepts = schemaValidator();

  it.each(AGREE)('on %s', (_what, text) => {
    const worker = decodeMessage(text).ok;
    expect(schemaAccepts(JSON.parse(text)), `the worker says ${worker ? 'valid' : 'invalid'}`).toBe(worker);
  });

  it('on both sides of every rule in the table (the table is not one-sided)', () => {
    const verdicts = AGREE.map(([, text]) => decodeMessage(text).ok);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(10);
    expect(verdicts.filter((v) => !v).length).toBeGreaterThan(40);
  });

  it.each(VALIDATOR_ONLY)('except on %s, which only the worker can check', (_what, text) => {
    expect(decodeMessage(text).ok).toBe(false);
    expect(schemaAccepts(JSON.parse(text))).toBe(true);
  });

  it('whether a validator compiles its patterns with the u flag or not', () => {
    const patterns: string[] = [];
    JSON.stringify(contractJsonSchema(), (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string') patterns.push(value);
      return value;
    });
    expect(patterns.length).toBeGreaterThan(10);
    const probes = [
      '',
      'plain',
      emoji(3),
      'a\ud800b',
      'x\udc00',
      '\ud83d',
      'Zoe\u0308',
      'a\u202Eb',
      'CAND-777/a',
      'X-Trace-Intent',
    ];
    for (const source of patterns) {
      const plain = new RegExp(source);
      const unicode = new RegExp(source, 'u');
      for (const probe of probes)
        expect(unicode.test(probe), `${source} on ${JSON.stringify(probe)}`).toBe(plain.test(probe));
    }
  });
});
