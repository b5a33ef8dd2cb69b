/**
 * Rules on the strings of a message (docs/architecture.md §4), each written once as a regular
 * expression that the validator enforces and the published JSON Schema carries as a `pattern`.
 *
 * Every pattern reads alike with or without the `u` flag: zod runs them without it, ajv 8 and most
 * JSON Schema validators compile `pattern` with it (and Python's `re` sees code points). So the
 * character classes hold no surrogates, and a lone surrogate is spelled so that both readings find it.
 * Lengths are zod's `max`, which counts code points as JSON Schema's `maxLength` does.
 */

const HIGH = '\\uD800-\\uDBFF';
const LOW = '\\uDC00-\\uDFFF';

/** C0 and C1 control characters and DEL. */
export const CONTROL_CHARS = '\\u0000-\\u001f\\u007f-\\u009f';
/** Unicode's line and paragraph separators: a line break to many renderers and log viewers. */
export const LINE_SEPARATORS = '\\u2028\\u2029';
/**
 * Bidirectional formatting characters: they reorder what a reader sees, so `invoice\u202Efdp.exe`
 * shows as `invoiceexe.pdf` (Trojan Source, CVE-2021-42574).
 */
export const BIDI_CONTROLS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/**
 * Characters that render as nothing and can hide or disguise part of a name: soft hyphen, Hangul
 * fillers, Mongolian vowel separator, zero-width space, word joiner and invisible operators, the BOM,
 * interlinear annotation. Zero-width (non-)joiners stay allowed: Persian, Indic scripts and emoji
 * sequences need them.
 */
export const INVISIBLE_CHARS =
  '\\u00ad\\u115f\\u1160\\u180e\\u200b\\u2060-\\u2064\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb';

export interface TextRule {
  pattern: RegExp;
  /** Why a string that fails the pattern is refused: names the rule, never the value. */
  message: string;
}

/** A string made only of characters outside `chars` (a character-class body without surrogates). */
export const noneOf = (chars: string, message: string): TextRule => ({
  pattern: new RegExp(`^[^${chars}]*$`),
  message,
});

/** No code unit outside a surrogate pair: storage SDKs throw URIError on such strings. */
export const WELL_FORMED: TextRule = {
  pattern: new RegExp(`^(?:[^\\uD800-\\uDFFF]|[${HIGH}][${LOW}])*$`),
  message: 'contains a lone surrogate (not well-formed Unicode)',
};

const LONE_SURROGATE = new RegExp(`[${HIGH}](?![${LOW}])|(?<![${HIGH}])[${LOW}]`);

/** String.prototype.isWellFormed, which the project's ES2023 lib does not declare. */
export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

export const NO_LINE_BREAKS: TextRule = noneOf(
  CONTROL_CHARS + LINE_SEPARATORS,
  'must not contain line breaks or control characters',
);

export const NO_HIDDEN_FORMATTING: TextRule = noneOf(
  BIDI_CONTROLS + INVISIBLE_CHARS,
  'must not contain bidirectional or invisible formatting characters',
);

/**
 * Text that a person reads or that lands in a header: a display name, a file name, a header value.
 * One line, no control characters, nothing that reorders or hides what is shown, well-formed.
 */
export const DISPLAY_TEXT: readonly TextRule[] = [NO_LINE_BREAKS, NO_HIDDEN_FORMATTING, WELL_FORMED];

/**
 * `^(?!(?:X|Y)$)`: anything but the given words in any letter case (a pattern has no `i` flag). The
 * words are letters, digits and `-`, which need no escaping outside a character class.
 */
export function noneOfWords(words: readonly string[], message: string): TextRule {
  const anyCase = (word: string) => word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
  return { pattern: new RegExp(`^(?!(?:${words.map(anyCase).join('|')})$)`), message };
}
