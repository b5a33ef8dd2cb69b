/**
 * Breaks `text` into lines of at most `width` characters at spaces. A word longer than a line is cut,
 * ending in '…', so that no line is ever wider than asked: a terminal would wrap it mid-column.
 */
export function wrapWords(text: string, width: number): string[] {
  if (width < 2) throw new RangeError('width must be at least 2');
  const lines: string[] = [];
  let line = '';
  for (const raw of text.split(/\s+/).filter(Boolean)) {
    const word = raw.length > width ? `${raw.slice(0, width - 1)}…` : raw;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
