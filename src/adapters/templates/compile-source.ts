import type Handlebars from 'handlebars';
import { TemplateCatalogError } from './catalog-error.js';
import { HTML_HELPERS, TEXT_HELPERS } from './helpers.js';
import { analyseTemplate, type ParsedTemplate, type TemplateUsage } from './template-ast.js';

type HandlebarsEnv = typeof Handlebars;

/**
 * subject and preheader are plain text (no HTML escaping: the subject is not HTML, and the layout
 * escapes the preheader where it places it); body and layout are HTML with every value escaped.
 */
export type SourceKind = 'subject' | 'preheader' | 'body' | 'layout';

export interface CompiledSource {
  file: string;
  render: Handlebars.TemplateDelegate;
  usage: TemplateUsage;
}

/** The layout's one unescaped slot: the body, which was itself rendered with escaping. */
export const LAYOUT_BODY_SLOT = 'body';

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

/**
 * Parses and compiles one template file, refusing at load what would be unsafe or ambiguous at render
 * time: syntax errors, unknown helpers, partials, `with`, and any unescaped output except the layout's
 * body slot.
 */
export function compileSource(
  hb: HandlebarsEnv,
  file: string,
  source: string,
  kind: SourceKind,
): CompiledSource {
  let ast: ParsedTemplate;
  try {
    ast = hb.parse(source);
  } catch (e) {
    throw new TemplateCatalogError(
      file,
      `is not a valid template: ${oneLine(e instanceof Error ? e.message : '')}`,
    );
  }
  const text = kind === 'subject' || kind === 'preheader';
  const helpers = text ? TEXT_HELPERS : HTML_HELPERS;
  const usage = analyseTemplate(ast, helpers);
  const [problem] = usage.problems;
  if (problem !== undefined) throw new TemplateCatalogError(file, problem);

  const allowed = kind === 'layout' ? [LAYOUT_BODY_SLOT] : [];
  const unsafe = usage.unescaped.find((u) => !allowed.includes(u));
  if (unsafe !== undefined) {
    throw new TemplateCatalogError(
      file,
      `outputs "${unsafe}" unescaped ({{{…}}} or {{&…}}); only the layout's {{{${LAYOUT_BODY_SLOT}}}} slot may`,
    );
  }
  if (kind === 'layout' && usage.unescaped.filter((u) => u === LAYOUT_BODY_SLOT).length !== 1) {
    throw new TemplateCatalogError(file, `must place the body exactly once, as {{{${LAYOUT_BODY_SLOT}}}}`);
  }

  const knownHelpers: Record<string, boolean> = { log: false, lookup: false, with: false };
  for (const name of helpers) knownHelpers[name] = true;
  const render = hb.compile(source, { strict: true, noEscape: text, knownHelpers, knownHelpersOnly: true });
  return { file, render, usage };
}
