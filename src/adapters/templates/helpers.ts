import type Handlebars from 'handlebars';
import { FailureCode } from '../../domain/failure-codes.js';
import { permanent } from '../../domain/failure.js';
import { formatLongDate, formatMoney, parseIsoDate } from './formatters.js';
import { isPlainEmailAddress, safeHref, URL_RULE } from './safe-url.js';

type HandlebarsEnv = typeof Handlebars;

/** Helpers that return plain text: usable in subjects and preheaders, escaped like any value in HTML. */
export const TEXT_HELPERS: ReadonlySet<string> = new Set(['formatDate', 'money']);
/** Helpers that return markup: HTML bodies and the layout only. */
export const HTML_HELPERS: ReadonlySet<string> = new Set([...TEXT_HELPERS, 'link', 'button', 'mailto']);

export const FONT_STACK = "'Segoe UI', Arial, Helvetica, sans-serif";
const LINK_STYLE = 'color:#0b5cad;text-decoration:underline;';
const BUTTON_CELL_STYLE = 'border-radius:4px;background-color:#0b5cad;';
const BUTTON_LINK_STYLE =
  `display:inline-block;padding:12px 24px;font-family:${FONT_STACK};font-size:16px;line-height:24px;` +
  'font-weight:bold;color:#ffffff;text-decoration:none;border-radius:4px;';

/** Handlebars passes its options object last; the rest are the template's arguments. */
function split(args: unknown[]): { params: unknown[]; hash: Record<string, unknown> } {
  const options = args.at(-1) as Handlebars.HelperOptions | undefined;
  return { params: args.slice(0, -1), hash: (options?.hash ?? {}) as Record<string, unknown> };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/**
 * Registers the catalog's helpers on an isolated Handlebars environment. Every helper either returns
 * plain text (which Handlebars then escapes) or builds its markup from escaped pieces, so none of them
 * is a way around escaping. A helper refusing a value throws a PermanentDeliveryError that names the
 * rule, never the value.
 */
export function registerHelpers(hb: HandlebarsEnv): void {
  const esc = (value: string) => hb.escapeExpression(value);
  // `log` would write template data to the console; templates have no reason to log.
  hb.unregisterHelper('log');

  hb.registerHelper('formatDate', (...args: unknown[]) => {
    const { params, hash } = split(args);
    const date = parseIsoDate(params[0]);
    if (!date)
      throw permanent(FailureCode.InvalidTemplateData, 'a date given to formatDate is not YYYY-MM-DD');
    return formatLongDate(date, { weekday: hash.weekday !== false });
  });

  hb.registerHelper('money', (...args: unknown[]) => {
    const { params } = split(args);
    const [amount, currency] = params;
    const text =
      typeof amount === 'number' && typeof currency === 'string' ? formatMoney(amount, currency) : undefined;
    if (text === undefined) {
      throw permanent(
        FailureCode.InvalidTemplateData,
        'money needs a finite amount below 10^15 and a three-letter ISO 4217 currency code',
      );
    }
    return text;
  });

  const href = (value: unknown): string => {
    const safe = safeHref(value);
    if (safe === undefined) throw permanent(FailureCode.UnsafeUrl, `a link ${URL_RULE}`);
    return safe;
  };

  hb.registerHelper('link', (...args: unknown[]) => {
    const { params } = split(args);
    const url = href(params[0]);
    const text = asText(params[1]) || url;
    return new hb.SafeString(`<a href="${esc(url)}" style="${LINK_STYLE}">${esc(text)}</a>`);
  });

  hb.registerHelper('button', (...args: unknown[]) => {
    const { params } = split(args);
    const url = href(params[0]);
    const text = asText(params[1]) || url;
    // A table cell with a background is the button that survives Outlook's Word renderer.
    return new hb.SafeString(
      '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px 0;">' +
        `<tr><td style="${BUTTON_CELL_STYLE}"><a href="${esc(url)}" style="${BUTTON_LINK_STYLE}">${esc(text)}</a>` +
        '</td></tr></table>',
    );
  });

  hb.registerHelper('mailto', (...args: unknown[]) => {
    const { params } = split(args);
    const address = params[0];
    if (!isPlainEmailAddress(address)) {
      throw permanent(
        FailureCode.InvalidTemplateData,
        'a value given to mailto is not a plain email address',
      );
    }
    return new hb.SafeString(`<a href="mailto:${esc(address)}" style="${LINK_STYLE}">${esc(address)}</a>`);
  });
}
