import { SPACE_OR_CONTROL } from './control-chars.js';

/** Longer links are not something an HR letter needs, and they hide what they point at. */
const MAX_URL_LENGTH = 2048;

/**
 * The href to emit for a link, or undefined when the value must not become one. Only `https:` and
 * `mailto:` are allowed: `javascript:` and `data:` run code, `http:` can be rewritten on the way, and
 * user info (`https://contoso.com@elsewhere`) is a classic way to disguise the real host.
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
    return url.pathname.includes('@') ? url.href : undefined;
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
