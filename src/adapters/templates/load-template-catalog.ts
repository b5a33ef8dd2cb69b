import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { TemplateCatalog, TemplateField } from '../../ports/templates.js';
import { TemplateCatalogError } from './catalog-error.js';
import { compileSource, type CompiledSource } from './compile-source.js';
import { registerHelpers } from './helpers.js';
import {
  CATALOG_FILES,
  catalogSettingsSchema,
  describeIssues,
  TEMPLATE_NAME,
  templateManifestSchema,
  VERSION,
  type CatalogSettings,
  type ManifestField,
} from './manifest-schema.js';
import {
  createTemplateCatalog,
  runtimeOptions,
  type LoadedTemplate,
  type TemplateVersion,
} from './template-catalog.js';
import type { FieldSpec } from './template-data.js';
import { oneLine, verifyTemplates, type TemplateToVerify } from './verify-templates.js';

type HandlebarsEnv = typeof Handlebars;

/** What the layout may read: the rendered parts, nothing from the message data. */
const LAYOUT_FIELDS: readonly FieldSpec[] = ['subject', 'preheader', 'body'].map((name) => ({
  name,
  path: [name],
  type: 'string',
  required: true,
}));

async function readText(file: string, optional = false): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (optional) return undefined;
      throw new TemplateCatalogError(file, 'is missing');
    }
    throw new TemplateCatalogError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readJson(file: string, optional = false): Promise<unknown> {
  const text = await readText(file, optional);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new TemplateCatalogError(
      file,
      `is not valid JSON (${e instanceof Error ? e.message : 'unparseable'})`,
    );
  }
}

async function readSample(file: string): Promise<Record<string, unknown> | undefined> {
  const sample = await readJson(file, true);
  if (sample === undefined) return undefined;
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
    throw new TemplateCatalogError(file, 'must be a JSON object of template data');
  }
  return sample as Record<string, unknown>;
}

function toFieldSpecs(file: string, required: ManifestField[], optional: ManifestField[]): FieldSpec[] {
  const specs = [
    ...required.map((f) => ({ f, required: true })),
    ...optional.map((f) => ({ f, required: false })),
  ].map(({ f, required: isRequired }): FieldSpec => {
    const spec: FieldSpec = { name: f.name, path: f.name.split('.'), type: f.type, required: isRequired };
    if (f.pattern !== undefined) spec.pattern = new RegExp(f.pattern, 'u');
    return spec;
  });
  for (const a of specs) {
    for (const b of specs) {
      if (a !== b && (a.name === b.name || b.name.startsWith(`${a.name}.`))) {
        throw new TemplateCatalogError(
          file,
          `declares ${a.name} and ${b.name}: a field cannot be declared twice or inside another`,
        );
      }
    }
  }
  return specs;
}

/** Every field a file reads must be declared (an object prefix such as `salary` counts), and #each needs a list. */
function checkFields(source: CompiledSource, fields: readonly FieldSpec[]): void {
  for (const used of source.usage.fields) {
    if (!fields.some((f) => f.name === used || f.name.startsWith(`${used}.`))) {
      throw new TemplateCatalogError(source.file, `reads ${used}, which is not declared`);
    }
  }
  for (const list of source.usage.listFields) {
    if (!fields.some((f) => f.name === list && f.type === 'list')) {
      throw new TemplateCatalogError(source.file, `iterates ${list}, which is not declared as a list`);
    }
  }
}

async function loadVersion(
  hb: HandlebarsEnv,
  dir: string,
  template: string,
  version: string,
  fields: readonly FieldSpec[],
): Promise<TemplateVersion> {
  const compile = async (name: string, kind: 'subject' | 'preheader' | 'body', optional = false) => {
    const file = join(dir, name);
    const source = await readText(file, optional);
    if (source === undefined) return undefined;
    const compiled = compileSource(hb, file, source, kind);
    checkFields(compiled, fields);
    return compiled;
  };
  const subject = await compile(CATALOG_FILES.subject, 'subject');
  const preheader = await compile(CATALOG_FILES.preheader, 'preheader', true);
  const body = await compile(CATALOG_FILES.body, 'body');
  if (!subject || !body) throw new TemplateCatalogError(dir, 'is incomplete');

  const subjectReads = [...subject.usage.fields];
  const subjectFields = new Set(
    fields
      .filter((f) => subjectReads.some((u) => f.name === u || f.name.startsWith(`${u}.`)))
      .map((f) => f.name),
  );
  const loaded: TemplateVersion = {
    version,
    subject: subject.render,
    body: body.render,
    rules: { template, fields, subjectFields },
  };
  if (preheader) loaded.preheader = preheader.render;
  return loaded;
}

async function loadTemplate(hb: HandlebarsEnv, dir: string, name: string): Promise<TemplateToVerify> {
  const manifestFile = join(dir, CATALOG_FILES.manifest);
  const parsed = templateManifestSchema.safeParse(await readJson(manifestFile));
  if (!parsed.success) throw new TemplateCatalogError(manifestFile, describeIssues(parsed.error));
  const manifest = parsed.data;
  const fields = toFieldSpecs(manifestFile, manifest.required, manifest.optional);

  const versionNames: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^v\d+$/.test(entry.name)) continue;
    const number = entry.name.slice(1);
    if (!VERSION.test(number)) {
      throw new TemplateCatalogError(join(dir, entry.name), 'is not a version folder (v1, v2, …)');
    }
    versionNames.push(number);
  }
  versionNames.sort((a, b) => Number(a) - Number(b));
  if (!versionNames.includes(manifest.currentVersion)) {
    throw new TemplateCatalogError(
      manifestFile,
      `currentVersion ${manifest.currentVersion} has no folder v${manifest.currentVersion}`,
    );
  }

  const versions = new Map<string, TemplateVersion>();
  for (const v of versionNames) versions.set(v, await loadVersion(hb, join(dir, `v${v}`), name, v, fields));

  const publicField = (f: ManifestField): TemplateField => ({
    name: f.name,
    description: f.description,
    type: f.type,
  });
  const template: LoadedTemplate = {
    info: {
      name,
      version: manifest.currentVersion,
      versions: versionNames,
      description: manifest.description,
      intent: manifest.intent,
      required: manifest.required.map(publicField),
      optional: manifest.optional.map(publicField),
    },
    versions,
  };
  return { dir, template, sample: await readSample(join(dir, CATALOG_FILES.sample)) };
}

/**
 * Loads a template catalog from disk (see templates/README.md for its layout): `catalog.json`, the
 * shared `_layout/`, and one folder per template with its `template.json` and `v<N>/` sources. Every
 * file is parsed, checked against its manifest, compiled and run once here, so a broken catalog stops
 * start-up with a TemplateCatalogError naming the file instead of failing mail by mail.
 */
export async function loadTemplateCatalog(dir: string): Promise<TemplateCatalog> {
  const hb = Handlebars.create();
  registerHelpers(hb);

  const settingsFile = join(dir, CATALOG_FILES.settings);
  const settingsParsed = catalogSettingsSchema.safeParse(await readJson(settingsFile));
  if (!settingsParsed.success)
    throw new TemplateCatalogError(settingsFile, describeIssues(settingsParsed.error));
  const settings: CatalogSettings = settingsParsed.data;

  const layoutFile = join(dir, CATALOG_FILES.layout);
  const layoutSource = compileSource(hb, layoutFile, (await readText(layoutFile)) ?? '', 'layout');
  checkFields(layoutSource, LAYOUT_FIELDS);
  const layout = layoutSource.render;
  try {
    layout({ subject: 'Specimen', preheader: 'Specimen', body: '' }, runtimeOptions(settings));
  } catch (e) {
    throw new TemplateCatalogError(layoutFile, `fails to render: ${oneLine(e)}`);
  }

  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw new TemplateCatalogError(dir, 'is not a readable folder');
  }
  const loaded: TemplateToVerify[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
    if (!TEMPLATE_NAME.test(entry.name)) {
      throw new TemplateCatalogError(
        join(dir, entry.name),
        'is not a template name (a-z 0-9 -, up to 64 characters)',
      );
    }
    loaded.push(await loadTemplate(hb, join(dir, entry.name), entry.name));
  }
  verifyTemplates(settings, layout, loaded);

  const templates = new Map(loaded.map((t) => [t.template.info.name, t.template]));
  return createTemplateCatalog({ settings, layout, templates });
}
