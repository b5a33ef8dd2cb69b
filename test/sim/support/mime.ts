/**
 * A small MIME reader for the tests: enough to take the simulator's .eml apart and check what a
 * mail client would see. Deliberately independent of the code that wrote it.
 */

export interface MimeEntity {
  headers: Map<string, string>;
  /** Decoded body: text for text parts, bytes for everything. */
  bytes: Buffer;
  text: string;
  parts: MimeEntity[];
  contentType: string;
  params: Record<string, string>;
}

export function parseMime(raw: string): MimeEntity {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const [type = 'text/plain', ...rest] = (headers.get('content-type') ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0)
      params[p.slice(0, eq).trim().toLowerCase()] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
  }
  const contentType = type.trim().toLowerCase();
  const parts: MimeEntity[] = [];
  if (contentType.startsWith('multipart/')) {
    const boundary = params.boundary ?? '';
    const sections = body.split(`--${boundary}`);
    // sections[0] is the preamble; the last one starts with "--" (the closing delimiter).
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      parts.push(parseMime(section.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    }
  }
  const bytes =
    headers.get('content-transfer-encoding')?.toLowerCase() === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : Buffer.from(body, 'utf8');
  return { headers, bytes, text: bytes.toString('utf8'), parts, contentType, params };
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`), joining adjacent ones as RFC 2047 says. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}
