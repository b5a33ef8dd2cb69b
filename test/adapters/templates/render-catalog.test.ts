import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../../src/adapters/templates/load-template-catalog.js';
import type { TemplateCatalog } from '../../../src/ports/templates.js';
import { CATALOG_DIR, hrefsOf, sampleData, TEMPLATE_NAMES } from './catalog-fixture.js';

let catalog: TemplateCatalog;
beforeAll(async () => {
  catalog = await loadTemplateCatalog(CATALOG_DIR);
});

async function renderSample(
  template: string,
  change: (d: Record<string, unknown>) => void = () => undefined,
) {
  const data = await sampleData(template);
  change(data);
  return catalog.render({ template, data });
}

describe('every template with its sample data', () => {
  it.each(TEMPLATE_NAMES)('%s renders a complete, linked document with a text alternative', async (name) => {
    const mail = await renderSample(name);

    expect(mail.template).toBe(name);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject.length).toBeGreaterThan(10);
    // The layout wraps the body: a real document with the company footer.
    expect(mail.html.startsWith('<!DOCTYPE html>\n<html')).toBe(true);
    expect(mail.html).toContain('10 Lantern Yard, Manchester M1 7ZZ, United Kingdom');
    expect(mail.html).toContain('href="mailto:people.services@contoso.com"');
    // No template syntax survives, and every link is https: or mailto:.
    expect(mail.html).not.toMatch(/\{\{|\}\}/);
    const hrefs = hrefsOf(mail.html);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^(https|mailto):/);
    // The text alternative says the same things, readable without HTML.
    expect(mail.text).not.toMatch(/<\/?[a-z][a-z0-9]*[\s/>]|&[a-z#0-9]+;/i);
    expect(mail.text).toContain('Contoso Ltd, 10 Lantern Yard, Manchester M1 7ZZ, United Kingdom');
  });
});

describe('offer-letter', () => {
  it('states the terms a candidate needs, with the accept link and the governing-documents note', async () => {
    const mail = await renderSample('offer-letter');

    expect(mail.version).toBe('2');
    expect(mail.subject).toBe('Your offer of employment: Lead Analytical Engine Architect at Contoso Ltd');
    expect(mail.html).toContain('Dear Ada Lovelace,');
    expect(mail.text).toContain('Start date: Monday 8 March 2027');
    expect(mail.text).toContain('Salary: GBP 87,650 per year, before tax and deductions');
    expect(mail.text).toContain('Reporting to: Charles Babbage');
    expect(mail.text).toContain('Offer open until: Friday 12 February 2027');
    expect(mail.text).toContain('- Confirmation of your right to work in the United Kingdom');
    expect(mail.text).toContain('the attached documents govern');
    expect(hrefsOf(mail.html)).toContain('https://careers.contoso.com/offers/CAND-20417/accept?ref=q7Zr2LmV');
    expect(mail.text).toContain(
      'Review and accept your offer <https://careers.contoso.com/offers/CAND-20417/accept?ref=q7Zr2LmV>',
    );
    expect(mail.text).toContain(
      'contact Mary Somerville at mary.somerville@contoso.com or on +44 161 496 0321.',
    );
  });

  it('keeps the preheader out of sight in the HTML and out of the text alternative', async () => {
    const mail = await renderSample('offer-letter');

    expect(mail.html).toMatch(/display:none[^>]*>\s*Starting Monday 8 March 2027\. Please reply by/);
    expect(mail.text).not.toContain('Please reply by');
  });

  it('leaves out the optional parts when their data is absent, and greets by preferred name when given', async () => {
    const without = await renderSample('offer-letter', (d) => {
      delete d.workLocation;
      delete d.conditions;
      delete d.contactPhone;
    });
    expect(without.text).not.toContain('Place of work');
    expect(without.text).not.toContain('Conditions of this offer');
    expect(without.text).toContain('contact Mary Somerville at mary.somerville@contoso.com.');

    const preferred = await renderSample('offer-letter', (d) => (d.preferredName = 'Augusta'));
    expect(preferred.html).toContain('Dear Augusta,');
  });

  it('shows pay with pence when the amount has them', async () => {
    const mail = await renderSample(
      'offer-letter',
      (d) => (d.salary = { amount: 1234.5, currency: 'EUR', period: 'hour' }),
    );
    expect(mail.text).toContain('Salary: EUR 1,234.50 per hour');
  });

  it('renders a pinned older version exactly as it was, and the current one by default', async () => {
    const data = await sampleData('offer-letter');

    const pinned = catalog.render({ template: 'offer-letter', version: '1', data });
    expect(pinned.version).toBe('1');
    expect(pinned.subject).toBe('Your offer from Contoso Ltd');
    expect(pinned.text).not.toContain('The main terms of your offer');

    const current = catalog.render({ template: 'offer-letter', data });
    expect(current.version).toBe('2');
    expect(current.text).toContain('The main terms of your offer');
  });
});

describe('policy-update', () => {
  it('lists the changes, the effective date, the policy link and the acknowledgement deadline', async () => {
    const mail = await renderSample('policy-update');

    expect(mail.subject).toBe(
      'Policy update: Hybrid Working and Home Equipment Policy, effective 4 January 2027',
    );
    expect(mail.text).toContain('takes effect on Monday 4 January 2027');
    expect(mail.text).toMatch(/^- Teams agree their own on-site days each quarter/m);
    expect(mail.text).toContain('by Friday 18 December 2026');
    expect(hrefsOf(mail.html)).toContain(
      'https://people.contoso.com/policies/hybrid-working-home-equipment?revision=4',
    );
  });

  it('asks for no acknowledgement when there is no deadline', async () => {
    const mail = await renderSample('policy-update', (d) => delete d.acknowledgementDeadline);
    expect(mail.text).not.toContain('confirm that you have done so');
    expect(mail.html).not.toMatch(/Please confirm you have read it/);
  });
});

describe('onboarding-welcome', () => {
  it('tells the new hire when, where and whom to meet, the plan, and what to bring', async () => {
    const mail = await renderSample('onboarding-welcome');

    expect(mail.subject).toBe('Welcome to Contoso Ltd: your first day on Monday 1 February 2027');
    expect(mail.text).toContain('Welcome to Contoso Ltd, Katherine!');
    expect(mail.text).toContain('Please arrive at: 8:45 am');
    expect(mail.text).toContain(
      'Where: Contoso Manchester, Lantern Yard\n10 Lantern Yard, Manchester M1 7ZZ',
    );
    expect(mail.text).toContain('Your buddy: Mary Jackson');
    expect(mail.text).toContain('- 2:00 pm: Health, safety and security induction');
    expect(mail.text).toContain('- Comfortable shoes: the tour covers all four floors');
    expect(mail.text).toContain(
      'Open the onboarding portal <https://onboarding.contoso.com/welcome/EMP-41736>',
    );
  });
});

describe('termination-notice', () => {
  it('gives the key dates, the property instructions and the support link, with a discreet subject', async () => {
    const mail = await renderSample('termination-notice');

    expect(mail.subject).toBe('Important information about your employment with Contoso Ltd');
    expect(mail.text).toContain('Last working day: Friday 15 January 2027');
    expect(mail.text).toContain('Employment end date: Friday 29 January 2027');
    expect(mail.text).toContain('Final pay date: Friday 26 February 2027');
    expect(mail.text).toContain('Company benefits end: Sunday 31 January 2027');
    expect(mail.text).toContain('- Laptop with charger (asset tag CN-88213)');
    expect(mail.text).toContain(
      'Visit the employee assistance programme <https://eap.contoso.com/confidential-support>',
    );
    expect(mail.text).toContain('Nothing in this email affects your statutory rights.');
  });
});

describe('list()', () => {
  it('describes every template for --help: intent, versions, and typed required and optional fields', () => {
    const infos = catalog.list();

    expect(infos.map((i) => i.name)).toEqual([...TEMPLATE_NAMES].sort());
    const byName = new Map(infos.map((i) => [i.name, i]));
    expect(byName.get('offer-letter')).toMatchObject({ intent: 'offer', version: '2', versions: ['1', '2'] });
    expect(byName.get('policy-update')).toMatchObject({ intent: 'policy-update', version: '1' });
    expect(byName.get('onboarding-welcome')).toMatchObject({ intent: 'onboarding' });
    expect(byName.get('termination-notice')).toMatchObject({ intent: 'termination' });
    const offer = byName.get('offer-letter');
    expect(offer?.required).toContainEqual(expect.objectContaining({ name: 'acceptUrl', type: 'url' }));
    expect(offer?.required).toContainEqual(expect.objectContaining({ name: 'startDate', type: 'date' }));
    expect(offer?.optional.map((f) => f.name)).toContain('preferredName');
    for (const info of infos) {
      expect(info.description.length).toBeGreaterThan(20);
      for (const field of [...info.required, ...info.optional]) expect(field.description).not.toBe('');
    }
  });
});

describe('the escaping rule over the shipped catalog', () => {
  async function hbsFiles(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.hbs'))
      .map((e) => join(e.parentPath, e.name));
  }

  it("has no triple-stash or {{& …}} anywhere except the layout's body slot", async () => {
    const found: string[] = [];
    for (const file of await hbsFiles(CATALOG_DIR)) {
      const source = await readFile(file, 'utf8');
      for (const m of source.matchAll(/\{\{~?\{[^}]*\}~?\}\}|\{\{~?\s*&[^}]*\}\}/g)) {
        found.push(`${relative(CATALOG_DIR, file)}: ${m[0]}`);
      }
    }
    expect(found).toEqual([`${join('_layout', 'layout.html.hbs')}: {{{body}}}`]);
  });
});
