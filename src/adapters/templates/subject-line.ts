import { CONTROL_ALL } from './control-chars.js';

/**
 * Exchange and Outlook show and store at most 255 characters of a subject; cutting it here, at a
 * character boundary, is kinder than letting a client cut a surrogate pair in half.
 */
export const MAX_SUBJECT_LENGTH = 255;

/**
 * A rendered subject as one line of plain text: runs of whitespace (including line breaks that a
 * formatter may put into the template itself) become one space, and the length is capped.
 * Line breaks from data never get this far: fields used in the subject are refused before rendering.
 */
export function toSubjectLine(rendered: string): string {
  const line = rendered.replace(CONTROL_ALL, ' ').replace(/\s+/gu, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= MAX_SUBJECT_LENGTH) return line;
  return `${chars
    .slice(0, MAX_SUBJECT_LENGTH - 1)
    .join('')
    .trimEnd()}…`;
}
