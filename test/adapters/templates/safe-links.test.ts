import Handlebars from 'handlebars';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerHelpers } from '../../../src/adapters/templates/helpers.js';
import { loadTemplateCatalog } from '../../../src/adapters/templates/load-template-catalog.js';
import type { TemplateCatalog } from '../../../src/ports/templates.js';
import { CATALOG_DIR, failureOf, hrefsOf, sampleData } from './catalog-fixture.js';

// A producer must not be able to turn a link in an HR mail into a mail to someone else: a mailto:
// link names exactly one plain address, with no query (bcc=, cc=, to=, body=), fragment, second
// address or percent-encoded way of writing any of those. The rule is one function, used by url
// fields and by the link and button helpers alike.
const SMUGGLING: [string, string][] = [
  ['a bcc in the query', 'mailto:hr@contoso.com?bcc=someone@example.net'],
  ['a cc and a body', 'mailto:hr@contoso.com?cc=x@example.net&body=Please%20reply'],
  ['a subject', 'mailto:hr@contoso.com?subject=Hello'],
  ['only hfields', 'mailto:?to=someone@example.net'],
  ['two addresses with a comma', 'mailto:hr@contoso.com,someone@example.net'],
  ['two addresses with a semicolon', 'mailto:hr@contoso.com;someone@example.net'],
  ['a percent-encoded ?', 'mailto:hr@contoso.com%3Fbcc=someone@example.net'],
  ['a percent-encoded comma', 'mailto:hr@contoso.com%2Csomeone@example.net'],
  ['a percent-encoded @', 'mailto:hr%40contoso.com'],
  ['a fragment', 'mailto:hr@contoso.com#x'],
  ['a display name', 'mailto:HR <hr@contoso.com>'],
  ['no address', 'mailto:'],
  ['an address without a domain', 'mailto:hr'],
  ['slashes', 'mailto://hr@contoso.com'],
];

const ACCEPTED: [string, string, string][] = [
  ['a plain address', 'mailto:hr@contoso.com', 'mailto:hr@contoso.com'],
  ['an upper-case scheme', 'MAILTO:hr@contoso.com', 'mailto:hr@contoso.com'],
  [
    'an https link with a query',
    'https://careers.contoso.com/a?b=1&c=2',
    'https://careers.contoso.com/a?b=1&c=2',
  ],
];

describe('the link and button helpers', () => {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const link = hb.compile('{{link url "Write to us"}}', { strict: true });
  const button = hb.compile('{{button url "Write to us"}}', { strict: true });

  it.each(SMUGGLING)('refuse a mailto: link with %s', (_what, url) => {
    for (const render of [link, button]) {
      const e = failureOf(() => render({ url }));
      expect(e.reason.code).toBe('UnsafeUrl');
      expect(e.message).not.toContain('someone');
    }
  });

  it.each(ACCEPTED)('accept %s', (_what, url, href) => {
    expect(hrefsOf(link({ url }))).toEqual([href]);
    expect(hrefsOf(button({ url }))).toEqual([href]);
  });
});

describe('url fields of a template', () => {
  let catalog: TemplateCatalog;
  let offer: Record<string, unknown>;
  beforeAll(async () => {
    catalog = await loadTemplateCatalog(CATALOG_DIR);
    offer = await sampleData('offer-letter');
  });

  it.each(SMUGGLING)('refuse a mailto: link with %s, naming the field', (_what, acceptUrl) => {
    const e = failureOf(() => catalog.render({ template: 'offer-letter', data: { ...offer, acceptUrl } }));
    expect(e.reason.code).toBe('UnsafeUrl');
    expect(e.reason.fieldPaths).toEqual(['data.acceptUrl']);
    expect(e.reason.detail).toBe(
      'data.acceptUrl must be an https: URL or a mailto: link to one plain address',
    );
  });

  it.each(ACCEPTED)('accept %s', (_what, acceptUrl, href) => {
    const mail = catalog.render({ template: 'offer-letter', data: { ...offer, acceptUrl } });
    expect(hrefsOf(mail.html)).toContain(href);
  });
});
