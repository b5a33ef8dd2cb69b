import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateCatalogError } from '../../../src/adapters/templates/catalog-error.js';
import { loadTemplateCatalog } from '../../../src/adapters/templates/load-template-catalog.js';
import { CATALOG_DIR } from './catalog-fixture.js';

let workDir: string;
let copies = 0;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'hr-courier-templates-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A copy of the shipped catalog with one file rewritten (or removed, when the edit returns undefined). */
async function catalogWith(file: string, edit: (text: string) => string | undefined): Promise<string> {
  copies += 1;
  const dir = join(workDir, `catalog-${copies}`);
  await cp(CATALOG_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const edited = edit(await readFile(path, 'utf8'));
  if (edited === undefined) await rm(path);
  else await writeFile(path, edited);
  return dir;
}

async function loadError(dir: string): Promise<TemplateCatalogError> {
  try {
    await loadTemplateCatalog(dir);
  } catch (e) {
    if (e instanceof TemplateCatalogError) return e;
    throw e;
  }
  throw new Error('expected the catalog to be refused');
}

const editJson = (change: (m: Record<string, unknown>) => void) => (text: string) => {
  const json = JSON.parse(text) as Record<string, unknown>;
  change(json);
  return JSON.stringify(json);
};

const offerBody = 'offer-letter/v2/body.html.hbs';

describe('a catalog that cannot be used stops loading with an error naming the file', () => {
  it.each([
    [
      'a manifest that is not JSON',
      'offer-letter/template.json',
      (t: string) => t.slice(0, -20),
      /is not valid JSON/,
    ],
    [
      'an intent that is not a valid intent',
      'offer-letter/template.json',
      editJson((m) => (m.intent = 'Offer Letter')),
      /intent: must be 1-40 characters/,
    ],
    [
      'a field type the catalog does not know',
      'policy-update/template.json',
      editJson(
        (m) =>
          ((m.required as Record<string, unknown>[])[0] = {
            name: 'employeeName',
            type: 'email',
            description: 'x',
          }),
      ),
      /required\[0\]\.type/,
    ],
    [
      'an unknown manifest key',
      'policy-update/template.json',
      editJson((m) => (m.currentVersoin = '1')),
      /currentVersoin/,
    ],
    [
      'a current version without its folder',
      'offer-letter/template.json',
      editJson((m) => (m.currentVersion = '3')),
      /currentVersion 3 has no folder v3/,
    ],
    [
      'a field declared twice',
      'offer-letter/template.json',
      editJson((m) =>
        (m.optional as unknown[]).push({ name: 'startDate', type: 'date', description: 'again' }),
      ),
      /declares startDate and startDate/,
    ],
    [
      'catalog settings without a support address',
      'catalog.json',
      editJson((m) => delete (m.support as Record<string, unknown>).email),
      /support\.email/,
    ],
  ])('%s', async (_, file, edit, problem) => {
    const e = await loadError(await catalogWith(file, edit));
    expect(e.file.endsWith(join(...file.split('/')))).toBe(true);
    expect(e.message).toContain(file.split('/').at(-1));
    expect(e.message).toMatch(problem);
  });

  it.each([
    [
      'a triple-stash in a body',
      offerBody,
      (t: string) => `${t}<p>{{{candidateName}}}</p>`,
      /outputs "candidateName" unescaped/,
    ],
    [
      'an ampersand mustache in a body',
      offerBody,
      (t: string) => `${t}<p>{{&candidateName}}</p>`,
      /unescaped/,
    ],
    [
      'a field the manifest does not declare',
      offerBody,
      (t: string) => `${t}<p>{{salaryBand}}</p>`,
      /reads salaryBand, which is not declared/,
    ],
    [
      '#each over a field that is not a list',
      offerBody,
      (t: string) => `${t}{{#each department}}{{this}}{{/each}}`,
      /not declared as a list/,
    ],
    [
      'reading a property of a list item',
      offerBody,
      (t: string) => `${t}{{#each conditions}}{{this.title}}{{/each}}`,
      /reads "this\.title" inside #each/,
    ],
    [
      'a helper that does not exist',
      offerBody,
      (t: string) => `${t}{{shout candidateName}}`,
      /helper "shout"/,
    ],
    [
      'a log helper that would print data',
      offerBody,
      (t: string) => `${t}{{log candidateName}}`,
      /helper "log"/,
    ],
    ['a partial', offerBody, (t: string) => `${t}{{> footer}}`, /PartialStatement/],
    [
      'a with block',
      offerBody,
      (t: string) => `${t}{{#with salary}}{{amount}}{{/with}}`,
      /only if, unless and each/,
    ],
    [
      'a link in a subject',
      'offer-letter/v2/subject.hbs',
      (t: string) => `${t} {{link acceptUrl}}`,
      /helper "link", which is not available/,
    ],
    [
      'a syntax error',
      offerBody,
      (t: string) => `${t}{{#if preferredName}}unclosed`,
      /is not a valid template/,
    ],
    ['a missing subject', 'policy-update/v1/subject.hbs', () => undefined, /is missing/],
    [
      'a layout without its body slot',
      '_layout/layout.html.hbs',
      (t: string) => t.replace('{{{body}}}', ''),
      /must place the body exactly once/,
    ],
    [
      'a second unescaped slot in the layout',
      '_layout/layout.html.hbs',
      (t: string) => t.replace('<title>{{subject}}</title>', '<title>{{{subject}}}</title>'),
      /outputs "subject" unescaped/,
    ],
  ])('%s', async (_, file, edit, problem) => {
    const e = await loadError(await catalogWith(file, edit));
    expect(e.file).toBe(join(workDir, `catalog-${copies}`, ...file.split('/')));
    expect(e.message).toContain(file.split('/').at(-1));
    expect(e.message).toMatch(problem);
  });

  it('a helper given a field of the wrong kind, found by rendering the sample data at load', async () => {
    const dir = await catalogWith(offerBody, (t) => `${t}<p>{{formatDate contactName}}</p>`);
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, 'offer-letter', 'v2'));
    expect(e.message).toMatch(
      /fails to render sample-data\.json: InvalidTemplateData: a date given to formatDate/,
    );
  });

  it('an optional field used as if it were always there', async () => {
    const dir = await catalogWith(
      'policy-update/v1/body.html.hbs',
      (t) => `${t}<p>Deadline: {{formatDate acknowledgementDeadline}}</p>`,
    );
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, 'policy-update', 'v1'));
    expect(e.message).toMatch(/fails to render sample-data\.json without its optional fields/);
  });

  it('sample data that does not fit its own template', async () => {
    const dir = await catalogWith(
      'onboarding-welcome/sample-data.json',
      editJson((d) => (d.startDate = 'soon')),
    );
    const e = await loadError(dir);
    expect(e.message).toMatch(/fails to render sample-data\.json: InvalidTemplateData: data\.startDate/);
  });
});
