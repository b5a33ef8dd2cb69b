import { compile } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const convert = compile({
  // The mail client wraps; a hard wrap here would break long URLs in two.
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { linkBrackets: ['<', '>'], hideLinkHrefIfSameAsText: true } },
    ...HEADINGS.map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/**
 * The text/plain part the simulator writes beside an HTML body in its .eml, so a mail client shows
 * something sensible in either view. It is the simulator's own rendering, not the template catalog's:
 * the simulator must accept any HTML a client sends, as Graph does.
 */
export function plainTextOf(html: string): string {
  return convert(html).trim();
}
