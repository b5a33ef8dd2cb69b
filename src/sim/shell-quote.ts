/** Single-quotes a value for a POSIX shell unless it is made only of characters no shell treats specially. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
