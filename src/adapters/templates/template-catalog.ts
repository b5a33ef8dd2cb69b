import type Handlebars from 'handlebars';
import { FailureCode } from '../../domain/failure-codes.js';
import { isPermanentDeliveryError, permanent } from '../../domain/failure.js';
import type { RenderedMail, TemplateCatalog, TemplateInfo } from '../../ports/templates.js';
import { htmlToText } from './html-to-text.js';
import type { CatalogSettings } from './manifest-schema.js';
import { TEMPLATE_NAME, VERSION } from './manifest-schema.js';
import { toSubjectLine } from './subject-line.js';
import { prepareTemplateData, type DataRules } from './template-data.js';

export interface TemplateVersion {
  version: string;
  subject: Handlebars.TemplateDelegate;
  preheader?: Handlebars.TemplateDelegate;
  body: Handlebars.TemplateDelegate;
  rules: DataRules;
}

export interface LoadedTemplate {
  info: TemplateInfo;
  versions: ReadonlyMap<string, TemplateVersion>;
}

export interface CatalogParts {
  settings: CatalogSettings;
  layout: Handlebars.TemplateDelegate;
  templates: ReadonlyMap<string, LoadedTemplate>;
}

// Browsers and mail clients leave standards mode without it. The layout file cannot carry it,
// because formatters for .hbs files drop doctypes.
const DOCTYPE = '<!DOCTYPE html>\n';

/** Echo a requested name or version only when it has the shape of one: it came from a message. */
const shown = (value: string, shape: RegExp) => (shape.test(value) ? `'${value}'` : '(not a valid name)');

/** Catalog settings reach templates as `@company.*` and `@support.*`, apart from the message data. */
export function runtimeOptions(settings: CatalogSettings): Handlebars.RuntimeOptions {
  return { data: { company: settings.company, support: settings.support } };
}

/** Renders one version: the subject as one line of text, the body inside the layout, and a text alternative. */
export function renderVersion(
  parts: Pick<CatalogParts, 'settings' | 'layout'>,
  version: TemplateVersion,
  context: Record<string, unknown>,
): Omit<RenderedMail, 'template'> {
  const runtime = runtimeOptions(parts.settings);
  const subject = toSubjectLine(version.subject(context, runtime));
  const preheader = (version.preheader?.(context, runtime) ?? '').replace(/\s+/g, ' ').trim();
  const body = version.body(context, runtime);
  const html = DOCTYPE + parts.layout({ subject, preheader, body }, runtime);
  return { version: version.version, subject, html, text: htmlToText(html) };
}

export function createTemplateCatalog(parts: CatalogParts): TemplateCatalog {
  const infos = [...parts.templates.values()].map((t) => t.info).sort((a, b) => a.name.localeCompare(b.name));

  return {
    list: () => infos.map((i) => structuredClone(i)),

    render({ template, version, data }) {
      const loaded = parts.templates.get(template);
      if (!loaded) {
        throw permanent(
          FailureCode.UnknownTemplate,
          `template ${shown(template, TEMPLATE_NAME)} is not in the catalog`,
        );
      }
      const wanted = version ?? loaded.info.version;
      const chosen = loaded.versions.get(wanted);
      if (!chosen) {
        throw permanent(
          FailureCode.UnknownTemplateVersion,
          `template '${template}' has no version ${shown(wanted, VERSION)}; it has ${loaded.info.versions.join(', ')}`,
        );
      }
      const context = prepareTemplateData(chosen.rules, data);
      try {
        return { template, ...renderVersion(parts, chosen, context) };
      } catch (e) {
        if (isPermanentDeliveryError(e)) throw e;
        // Not expected once a catalog has loaded; the engine's message is not repeated because it
        // could quote the data it was rendering.
        throw permanent(
          FailureCode.InvalidTemplateData,
          `template '${template}' version ${chosen.version} could not be rendered with this data`,
        );
      }
    },
  };
}
