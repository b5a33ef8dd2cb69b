/**
 * The plain-text alternative of a rendered mail, derived from its HTML so the two can never say
 * different things. It only has to understand the HTML this catalog produces (data values are always
 * escaped, so every `<` in the input starts real markup), not arbitrary web pages.
 */

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'wbr',
]);
const SKIPPED = new Set(['head', 'style', 'script', 'title', 'template']);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'blockquote']);
const LINE = new Set(['div', 'tr', 'li', 'section', 'article', 'header', 'footer', 'main', 'caption']);

const TOKEN = /<!--[\s\S]*?-->|<![^>]*>|<(\/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>|[^<]+|</g;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  zwnj: '\u200c',
  zwj: '\u200d',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  middot: '·',
  bull: '•',
  copy: '©',
  pound: '£',
  euro: '€',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const hex = entity[1] === 'x' || entity[1] === 'X';
      const cp = Number.parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10);
      const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
      return valid ? String.fromCodePoint(cp) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attribute(attrs: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');
  const m = re.exec(attrs);
  if (!m) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? '');
}

function isHidden(attrs: string): boolean {
  const style = (attribute(attrs, 'style') ?? '').replace(/\s+/g, '').toLowerCase();
  return style.includes('display:none') || /(?:^|\s)hidden(?:\s|=|\/|$)/i.test(attrs);
}

interface OpenLink {
  href: string;
  start: number;
}

/** What to append after a link's text so a reader of the text version still sees where it goes. */
function linkSuffix(link: OpenLink, text: string): string {
  if (link.href.toLowerCase().startsWith('mailto:')) {
    let address = link.href.slice('mailto:'.length);
    try {
      address = decodeURIComponent(address);
    } catch {
      // Keep the encoded form: it is still a readable address.
    }
    return text === address ? '' : ` <${address}>`;
  }
  if (text === '') return link.href;
  return text === link.href ? '' : ` <${link.href}>`;
}

export function htmlToText(html: string): string {
  let out = '';
  let pendingBreaks = 0;
  const open: string[] = [];
  let skipBelow: number | undefined;
  const lists: { ordered: boolean; count: number }[] = [];
  const links: OpenLink[] = [];

  const requestBreak = (n: number) => {
    pendingBreaks = Math.max(pendingBreaks, n);
  };
  const write = (text: string) => {
    if (text === '') return;
    if (pendingBreaks > 0 && out !== '') {
      out = out.replace(/ +$/, '') + '\n'.repeat(pendingBreaks);
    }
    pendingBreaks = 0;
    out += text;
  };
  const writeText = (raw: string) => {
    let text = decodeEntities(raw.replace(/[ \t\n\r\f]+/g, ' '));
    const atLineStart = pendingBreaks > 0 || out === '' || out.endsWith('\n') || out.endsWith(' ');
    if (atLineStart) text = text.trimStart();
    write(text);
  };

  const startTag = (name: string, attrs: string) => {
    if (!VOID.has(name)) open.push(name);
    if (skipBelow === undefined && (SKIPPED.has(name) || isHidden(attrs))) {
      skipBelow = VOID.has(name) ? undefined : open.length - 1;
      return;
    }
    if (skipBelow !== undefined) return;
    if (name === 'br') {
      pendingBreaks = 0;
      out = out.replace(/ +$/, '') + '\n';
    } else if (name === 'img') {
      writeText(attribute(attrs, 'alt') ?? '');
    } else if (name === 'a') {
      links.push({ href: attribute(attrs, 'href') ?? '', start: out.length });
    } else if (name === 'ul' || name === 'ol') {
      lists.push({ ordered: name === 'ol', count: 0 });
    }
    if (PARAGRAPH.has(name)) requestBreak(2);
    else if (LINE.has(name) || name === 'hr') requestBreak(1);
    if (name === 'li') {
      const list = lists.at(-1);
      const indent = '  '.repeat(Math.max(0, lists.length - 1));
      if (list) list.count += 1;
      write(`${indent}${list?.ordered ? `${list.count}.` : '-'} `);
    }
  };

  const endTag = (name: string) => {
    const at = open.lastIndexOf(name);
    if (at === -1) return;
    open.length = at;
    if (skipBelow !== undefined) {
      if (open.length <= skipBelow) skipBelow = undefined;
      return;
    }
    if (name === 'a') {
      const link = links.pop();
      if (link) {
        const text = out.slice(link.start).replace(/\s+/g, ' ').trim();
        write(linkSuffix(link, text));
      }
    } else if (name === 'ul' || name === 'ol') {
      lists.pop();
    } else if (name === 'th') {
      // Row headers label the cell beside them: "Start date: Monday 8 March 2027".
      write(': ');
    } else if (name === 'td' && pendingBreaks === 0 && !/\s$/.test(out)) {
      out += ' ';
    }
    if (PARAGRAPH.has(name)) requestBreak(2);
    else if (LINE.has(name)) requestBreak(1);
  };

  for (const m of html.matchAll(TOKEN)) {
    const [token, slash, tag, attrs] = m;
    if (tag !== undefined) {
      const name = tag.toLowerCase();
      if (slash === '/') endTag(name);
      else startTag(name, attrs ?? '');
    } else if (!token.startsWith('<!') && skipBelow === undefined) {
      writeText(token);
    }
  }

  return (
    out
      .replace(/\u00a0/g, ' ')
      // Invisible joiners and the like, used only to pad the preheader.
      .replace(/\u200b|\u200c|\u200d|\u034f|\u2060|\ufeff/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}
