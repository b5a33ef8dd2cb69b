import { compile, type FormatCallback, type SelectorDefinition } from 'html-to-text';

/**
 * The plain-text alternative of a rendered mail, derived from its HTML so the two can never say
 * different things. The html-to-text package does the parsing and the entities (all of HTML's named
 * and numeric ones); the options below shape its output for mail readers: links keep their URL,
 * headings keep their case, lines are left for the mail client to wrap.
 */

/** Row headers label the cell beside them: "Start date: Monday 8 March 2027". */
const rowHeader: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addInline(': ');
};

/** A cell is a phrase in its row; the space keeps adjacent cells from running together. */
const cell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addInline(' ');
};

/** An image says what its alt text says; its URL means nothing to a reader of the text version. */
const altText: FormatCallback = (elem, _walk, builder) => {
  const alt = (elem as { attribs?: Record<string, string> }).attribs?.alt;
  if (alt) builder.addInline(alt);
};

const block = (lineBreaks: number) => ({ leadingLineBreaks: lineBreaks, trailingLineBreaks: lineBreaks });
const heading = (selector: string): SelectorDefinition => ({
  selector,
  format: 'heading',
  options: { ...block(2), uppercase: false },
});

const convert = compile({
  wordwrap: false,
  formatters: { rowHeader, cell, altText },
  selectors: [
    {
      selector: 'a',
      options: { linkBrackets: ['<', '>'], hideLinkHrefIfSameAsText: true, noAnchorUrl: true },
    },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map(heading),
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'table', format: 'block', options: block(2) },
    { selector: 'tr', format: 'block', options: block(1) },
    { selector: 'caption', format: 'block', options: block(1) },
    { selector: 'th', format: 'rowHeader' },
    { selector: 'td', format: 'cell' },
    { selector: 'img', format: 'altText' },
    { selector: 'hr', format: 'block', options: block(1) },
    // What a mail client does not show, a reader of the text version should not see either: the
    // preheader is hidden this way.
    { selector: '[hidden]', format: 'skip' },
    { selector: '[style*="display:none"]', format: 'skip' },
    { selector: '[style*="display: none"]', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'template', format: 'skip' },
  ],
});

export function htmlToText(html: string): string {
  return (
    convert(html)
      .replace(/\u00a0/g, ' ')
      // Invisible joiners and the like, used only to pad a preheader.
      .replace(/\u200b|\u200c|\u200d|\u034f|\u2060|\ufeff/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      // Blank lines only: an ordered list's items start with a space that aligns their numbers.
      .replace(/^\n+|\n+$/g, '')
  );
}
