import { z } from 'zod';
import { CONTROL } from './control-chars.js';
import { isPlainEmailAddress, safeHref } from './safe-url.js';

/** The file names a catalog is made of. */
export const CATALOG_FILES = {
  settings: 'catalog.json',
  layout: '_layout/layout.html.hbs',
  manifest: 'template.json',
  subject: 'subject.hbs',
  preheader: 'preheader.hbs',
  body: 'body.html.hbs',
  sample: 'sample-data.json',
} as const;

export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const VERSION = /^[1-9][0-9]{0,5}$/;
/** Field paths are plain identifiers, so none can reach `__proto__` or an array index. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*$/;

const line = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(300, { error: 'must be at most 300 characters' })
  .refine((s) => !CONTROL.test(s), { error: 'must be one line without control characters' });

const isRegExp = (source: string) => {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
};

const fieldSchema = z.strictObject({
  name: z.string().regex(FIELD_NAME, { error: 'must be a field path such as startDate or salary.amount' }),
  description: line,
  type: z
    .enum(['string', 'date', 'url', 'number', 'list'], { error: 'must be string, date, url, number or list' })
    .default('string'),
  /** A regular expression every value (every item, for a list) must match, e.g. a currency code. */
  pattern: z.string().refine(isRegExp, { error: 'must be a valid regular expression' }).optional(),
});

export const templateManifestSchema = z.strictObject({
  description: line,
  intent: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: 'must be 1-40 characters of a-z 0-9 -' }),
  currentVersion: z.string().regex(VERSION, { error: 'must be a version number such as "2"' }),
  required: z.array(fieldSchema),
  optional: z.array(fieldSchema).default([]),
});

export type TemplateManifest = z.infer<typeof templateManifestSchema>;
export type ManifestField = z.infer<typeof fieldSchema>;

/** Catalog-wide settings, shown in every mail's header and footer as `@company.*` and `@support.*`. */
export const catalogSettingsSchema = z.strictObject({
  company: z.strictObject({
    name: line,
    address: line,
    websiteUrl: z
      .string()
      .refine((s) => safeHref(s)?.startsWith('https:') === true, { error: 'must be an https: URL' })
      .optional(),
  }),
  support: z.strictObject({
    name: line,
    email: z.string().refine(isPlainEmailAddress, { error: 'must be a plain email address' }),
    phone: line.optional(),
  }),
});

export type CatalogSettings = z.infer<typeof catalogSettingsSchema>;

/** zod issues as one line: `required[2].type: must be …; intent: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
        .join('');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}
