import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildEml, renderedHtml } from './eml.js';
import type { ParsedMail } from './mail-model.js';

export interface OutboxEntry {
  emlPath: string;
  htmlPath: string;
}

/**
 * Writes an accepted mail to the outbox as `<time>-<request-id>.eml` and `.html`. File names carry
 * only the acceptance time and Graph's request-id: never a recipient or a subject.
 */
export async function writeToOutbox(
  outboxDir: string,
  entry: {
    mail: ParsedMail;
    mailbox: string;
    requestId: string;
    internetMessageId: string;
    acceptedAt: number;
    key?: string;
  },
): Promise<OutboxEntry> {
  await mkdir(outboxDir, { recursive: true });
  // 20261125T100000123Z: sorts by time and is a valid file name everywhere.
  const stamp = new Date(entry.acceptedAt).toISOString().replace(/[-:]/g, '').replace('.', '');
  const base = join(outboxDir, `${stamp}-${entry.requestId}`);
  const eml = buildEml({
    mail: entry.mail,
    mailbox: entry.mailbox,
    internetMessageId: entry.internetMessageId,
    date: new Date(entry.acceptedAt),
    boundarySeed: entry.requestId,
    ...(entry.key === undefined ? {} : { key: entry.key }),
  });
  const emlPath = `${base}.eml`;
  const htmlPath = `${base}.html`;
  await writeFile(emlPath, eml, 'utf8');
  await writeFile(htmlPath, standaloneHtml(renderedHtml(entry.mail)), 'utf8');
  return { emlPath, htmlPath };
}

/** A fragment gets a charset declaration, so a browser shows non-ASCII text right when opening the file. */
function standaloneHtml(html: string): string {
  return /<html[\s>]/i.test(html) ? html : `<!doctype html>\n<meta charset="utf-8">\n${html}`;
}
