import { SPACE_OR_CONTROL } from './control-chars.js';

/** Longer links are not something an HR letter needs, and they hide what they point at. */
const MAX_URL_LENGTH = 2048;

/** What safeHref allows, as a refusal names it. */
export const URL_RULE = 'must be an https: URL or a mailto: link to one plain address';

/**
 * The href to emit for a link, or undefined when the value must not become one: the one rule for
 * every link a template emits (url fields, the link and button helpers). Only `https:` and `mailto:`
 * are allowed: `javascript:` and `data:` run code, `http:` can be rewritten on the way, and user info
 * (`https://contoso.com@elsewhere`) is a classic way to disguise the real host. A `mailto:` names
 * exactly one plain address and nothing else: a query (`?bcc=…&body=…`), a second address
 * (`a@x,b@y`) or a percent-encoded `?`, `,` or `@` would let a producer add recipients or text to
 * the mail a reader sends from an HR letter.
 */
export function safeHref(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH) return undefined;
  // The URL parser silently drops tabs and newlines ("java\nscript:"): refuse them instead.
  if (SPACE_OR_CONTROL.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') {
    if (url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
    return url.href;
  }
  if (url.protocol === 'mailto:') {
    // The text after the scheme as written, not as the URL parser decodes or normalises it.
    const address = value.slice('mailto:'.length);
    return isPlainEmailAddress(address) ? `mailto:${address}` : undefined;
  }
  return undefined;
}

// Deliberately narrower than RFC 5322: nothing that means something inside a mailto: URL (? # % &).
const EMAIL =
  /^[A-Za-z0-9._+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** A plain address (no display name, no query) that can follow `mailto:` as it is. */
export function isPlainEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}
