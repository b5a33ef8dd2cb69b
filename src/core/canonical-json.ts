/**
 * Canonical JSON: object keys sorted at every depth, no insignificant white space, numbers and strings
 * as JSON.stringify writes them. Two messages that mean the same thing hash alike whatever the
 * producer's key order or indentation.
 *
 * Keys are sorted by UTF-16 code unit (JavaScript's `<` on strings), which is not code point order for
 * characters beyond U+FFFF; it is what derived keys and payload hashes have always been computed
 * with, so it stays. Written with an explicit stack rather than recursion, so that no nesting can
 * overflow it: decoding bounds the depth of a message (MAX_DEPTH), and this does not rely on it.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work to do, last first: a value to write, or punctuation between and after the parts of one.
  const work: ({ value: unknown } | { text: string })[] = [{ value }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (v === null || typeof v !== 'object') {
      // undefined, functions and symbols write as null, as JSON.stringify writes them inside a list.
      const text = JSON.stringify(v) as string | undefined;
      out.push(text ?? 'null');
      continue;
    }
    const parts: ({ value: unknown } | { text: string })[] = [];
    if (Array.isArray(v)) {
      out.push('[');
      v.forEach((element: unknown, i) => {
        if (i > 0) parts.push({ text: ',' });
        parts.push({ value: element });
      });
      parts.push({ text: ']' });
    } else {
      out.push('{');
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, e]) => e !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      entries.forEach(([k, e], i) => {
        parts.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { value: e });
      });
      parts.push({ text: '}' });
    }
    for (let i = parts.length - 1; i >= 0; i--) work.push(parts[i] as (typeof parts)[number]);
  }
  return out.join('');
}
