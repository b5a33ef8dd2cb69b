import { join } from 'node:path';
import { isPermanentDeliveryError } from '../../domain/failure.js';
import { TemplateCatalogError } from './catalog-error.js';
import { CATALOG_FILES, type CatalogSettings } from './manifest-schema.js';
import { renderVersion, type LoadedTemplate } from './template-catalog.js';
import { prepareTemplateData, requiredFieldsOnly, type FieldSpec } from './template-data.js';
import type Handlebars from 'handlebars';

export interface TemplateToVerify {
  dir: string;
  template: LoadedTemplate;
  /** The template's sample-data.json, when it has one. */
  sample: Record<string, unknown> | undefined;
}

/** An engine error on catalog content (never message data) as one line for the start-up error. */
export function oneLine(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\s+/g, ' ').trim().slice(0, 300) : 'unknown error';
}

/** Values of the right type for every field, for templates without sample data. */
function specimen(fields: readonly FieldSpec[]): Record<string, unknown> {
  const values: Record<FieldSpec['type'], unknown> = {
    string: 'Specimen',
    date: '2000-01-03',
    url: 'https://example.com/',
    number: 1,
    list: ['Specimen'],
  };
  const context: Record<string, unknown> = {};
  for (const f of fields) {
    let target = context;
    f.path.slice(0, -1).forEach((key) => {
      target = (target[key] ??= {}) as Record<string, unknown>;
    });
    target[f.path.at(-1) ?? f.name] = values[f.type];
  }
  return context;
}

/**
 * Runs every version of every template once at load, so Handlebars compiles it now and a template that
 * cannot run fails start-up rather than a message. With sample data, each version must render it both
 * complete and with its optional fields left out, and any failure is fatal. Without, type-correct
 * specimen values are used, and a helper refusing one (a currency code, say) is tolerated.
 */
export function verifyTemplates(
  settings: CatalogSettings,
  layout: Handlebars.TemplateDelegate,
  templates: readonly TemplateToVerify[],
): void {
  for (const { dir, template, sample } of templates) {
    for (const version of template.versions.values()) {
      const where = join(dir, `v${version.version}`);
      if (sample === undefined) {
        try {
          renderVersion({ settings, layout }, version, specimen(version.rules.fields));
        } catch (e) {
          if (!isPermanentDeliveryError(e))
            throw new TemplateCatalogError(where, `fails to render: ${oneLine(e)}`);
        }
        continue;
      }
      const runs = [
        { what: CATALOG_FILES.sample, data: sample },
        {
          what: `${CATALOG_FILES.sample} without its optional fields`,
          data: requiredFieldsOnly(version.rules, sample),
        },
      ];
      for (const run of runs) {
        try {
          renderVersion({ settings, layout }, version, prepareTemplateData(version.rules, run.data));
        } catch (e) {
          throw new TemplateCatalogError(where, `fails to render ${run.what}: ${oneLine(e)}`);
        }
      }
    }
  }
}
