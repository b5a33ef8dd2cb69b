import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../../src/adapters/templates/load-template-catalog.js';
import type { TemplateCatalog } from '../../../src/ports/templates.js';
import { CATALOG_DIR, failureOf, hrefsOf, sampleData } from './catalog-fixture.js';

let catalog: TemplateCatalog;
let offer: Record<string, unknown>;
beforeAll(async () => {
  catalog = await loadTemplateCatalog(CATALOG_DIR);
  offer = await sampleData('offer-letter');
});

/** The offer sample with some fields replaced (undefined removes one); nested objects are copied first. */
function offerWith(changes: Record<string, unknown>): Record<string, unknown> {
  const data = structuredClone(offer);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop() ?? path;
    let target = data;
    for (const k of keys) target = target[k] as Record<string, unknown>;
    if (value === undefined) Reflect.deleteProperty(target, last);
    else target[last] = value;
  }
  return data;
}

const renderOffer = (changes: Record<string, unknown>) => () =>
  catalog.render({ template: 'offer-letter', data: offerWith(changes) });

describe('unknown templates and versions', () => {
  it('refuses a template the catalog does not have, naming it', () => {
    const e = failureOf(() => catalog.render({ template: 'offer-leter', data: offer }));
    expect(e.reason.code).toBe('UnknownTemplate');
    expect(e.message).toContain("'offer-leter'");
  });

  it('does not echo a requested name that is not shaped like a template name', () => {
    const e = failureOf(() => catalog.render({ template: 'Ada Lovelace <ada@example.org>', data: offer }));
    expect(e.reason.code).toBe('UnknownTemplate');
    expect(e.message).not.toContain('Lovelace');
  });

  it('refuses a pinned version that does not exist, saying which exist', () => {
    const e = failureOf(() => catalog.render({ template: 'offer-letter', version: '7', data: offer }));
    expect(e.reason.code).toBe('UnknownTemplateVersion');
    expect(e.message).toContain("'7'");
    expect(e.message).toContain('1, 2');
  });
});

describe('missing required fields', () => {
  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a required field that is %s, naming it as data.<field>', (_, value) => {
    const e = failureOf(renderOffer({ startDate: value }));
    expect(e.reason.code).toBe('MissingTemplateField');
    expect(e.reason.fieldPaths).toEqual(['data.startDate']);
  });

  it('names every missing field at once, nested ones by their full path', () => {
    const e = failureOf(renderOffer({ 'salary.currency': undefined, acceptUrl: undefined }));
    expect(e.reason.code).toBe('MissingTemplateField');
    expect(e.reason.fieldPaths).toEqual(['data.salary.currency', 'data.acceptUrl']);
  });

  it('treats an empty required list as missing', async () => {
    const data = { ...(await sampleData('policy-update')), changes: [] };
    const e = failureOf(() => catalog.render({ template: 'policy-update', data }));
    expect(e.reason.code).toBe('MissingTemplateField');
    expect(e.reason.fieldPaths).toEqual(['data.changes']);
  });
});

describe('values of the wrong type', () => {
  it.each([
    ['a date not in YYYY-MM-DD', { startDate: '08/03/2027' }, 'data.startDate'],
    ['a date that does not exist', { startDate: '2027-02-30' }, 'data.startDate'],
    ['a number given as text', { 'salary.amount': '87,650' }, 'data.salary.amount'],
    ['a currency that is not an ISO code', { 'salary.currency': 'pounds' }, 'data.salary.currency'],
    ['a pay period the letter cannot state', { 'salary.period': 'fortnight' }, 'data.salary.period'],
    ['a name given as a number', { candidateName: 42 }, 'data.candidateName'],
    ['an object where text belongs', { managerName: { first: 'Charles' } }, 'data.managerName'],
    ['a list item that is not text', { conditions: ['References', 7] }, 'data.conditions'],
    ['a list given as text', { conditions: 'References' }, 'data.conditions'],
    ['a contact address that is not an address', { contactEmail: 'Mary Somerville' }, 'data.contactEmail'],
    ['a control character in body text', { department: 'Research\u0007' }, 'data.department'],
  ])('refuses %s as InvalidTemplateData naming the field, not the value', (_, changes, field) => {
    const e = failureOf(renderOffer(changes));
    expect(e.reason.code).toBe('InvalidTemplateData');
    expect(e.reason.fieldPaths).toEqual([field]);
    expect(e.message).toContain(field);
    for (const value of Object.values(changes)) {
      if (typeof value === 'string') expect(e.message).not.toContain(value);
    }
  });
});

describe('links', () => {
  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['upper-case JAVASCRIPT:', 'JAVASCRIPT:alert(1)'],
    ['javascript: behind a space', ' javascript:alert(1)'],
    ['javascript: split by a newline', 'java\nscript:alert(1)'],
    ['data:', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['plain http:', 'http://careers.contoso.com/offers/accept'],
    ['user info hiding the real host', 'https://careers.contoso.com@phish.example.net/accept'],
    ['a relative path', '/offers/accept'],
    ['vbscript:', 'vbscript:msgbox(1)'],
  ])('refuses %s in a url field as UnsafeUrl naming the field', (_, url) => {
    const e = failureOf(renderOffer({ acceptUrl: url }));
    expect(e.reason.code).toBe('UnsafeUrl');
    expect(e.reason.fieldPaths).toEqual(['data.acceptUrl']);
    expect(e.message).not.toContain('alert');
  });

  it('accepts mailto: with one plain address as a link target', () => {
    const mail = renderOffer({ acceptUrl: 'mailto:offers@contoso.com' })();
    expect(hrefsOf(mail.html)).toContain('mailto:offers@contoso.com');
  });

  it('refuses mailto: with a query: it could add recipients (bcc=) or a body', () => {
    const e = failureOf(renderOffer({ acceptUrl: 'mailto:offers@contoso.com?subject=Acceptance' }));
    expect(e.reason.code).toBe('UnsafeUrl');
    expect(e.reason.fieldPaths).toEqual(['data.acceptUrl']);
  });
});

describe('escaping', () => {
  it('escapes HTML and script in any data value; the text alternative shows them as typed', () => {
    const mail = renderOffer({
      candidateName: '<script>alert("x")</script>',
      department: '"><img src=x onerror=alert(1)>',
      conditions: ['<a href="https://phish.example.net">Confirm your bank details</a>'],
    })();

    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(hrefsOf(mail.html).some((h) => h.includes('phish'))).toBe(false);
    expect(mail.text).toContain('Dear <script>alert("x")</script>,');
  });

  it('keeps the subject as plain text, and escapes it where the document repeats it', () => {
    const mail = renderOffer({ positionTitle: 'Head of R&D <Engines>' })();
    expect(mail.subject).toBe('Your offer of employment: Head of R&D <Engines> at Contoso Ltd');
    expect(mail.html).toContain(
      '<title>Your offer of employment: Head of R&amp;D &lt;Engines&gt; at Contoso Ltd</title>',
    );
  });

  it('never lets undeclared data into the mail', () => {
    const mail = renderOffer({ internalNote: 'Salary band exception approved by Mallory' })();
    expect(mail.html).not.toContain('Mallory');
    expect(mail.text).not.toContain('Mallory');
  });
});

describe('the subject line', () => {
  it.each([
    ['CR LF', 'Architect\r\nBcc: everyone@example.net'],
    ['a bare LF', 'Architect\nBcc: everyone@example.net'],
    ['a bare CR', 'Architect\rBcc: everyone@example.net'],
    ['a Unicode line separator', 'Architect\u2028Bcc: everyone@example.net'],
    ['a tab', 'Architect\tBcc: everyone@example.net'],
  ])('refuses %s in a field the subject uses, naming the field', (_, value) => {
    const e = failureOf(renderOffer({ positionTitle: value }));
    expect(e.reason.code).toBe('InvalidTemplateData');
    expect(e.reason.fieldPaths).toEqual(['data.positionTitle']);
    expect(e.message).not.toContain('Bcc');
  });

  it('accepts line breaks in a field only the body uses, rendered as ordinary text', () => {
    const mail = renderOffer({ candidateName: 'Ada\r\nLovelace', department: 'Calculating\nMachines' })();
    expect(mail.text).toContain('Dear Ada Lovelace,');
    expect(mail.text).toContain('Department: Calculating Machines');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('collapses runs of spaces and caps a very long subject at 255 characters', () => {
    expect(renderOffer({ positionTitle: 'Lead     Architect' })().subject).toBe(
      'Your offer of employment: Lead Architect at Contoso Ltd',
    );
    const long = renderOffer({ positionTitle: 'Principal '.repeat(60) })().subject;
    expect(Array.from(long)).toHaveLength(255);
    expect(long.endsWith('…')).toBe(true);
  });
});
