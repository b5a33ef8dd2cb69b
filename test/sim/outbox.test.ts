import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGraphToken,
  callGraph,
  keyProperty,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { decodeWords, parseMime, type MimeEntity } from './support/mime.js';

const PDF = Buffer.from('%PDF-1.4\n% offer letter\n\x00\x01\x02\xff', 'latin1');
const NOTE = 'Bring your passport — and a smile.';

function part(entity: MimeEntity, index: number): MimeEntity {
  const found = entity.parts[index];
  if (!found) throw new Error(`no MIME part ${index} in ${entity.contentType}`);
  return found;
}

describe('the simulator’s outbox', () => {
  let t: TestSimulator;
  let token: string;
  beforeAll(async () => {
    t = await startTestSimulator({ mailboxes: ['offers@contoso.com'] });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function sendAndRead(message: Record<string, unknown>) {
    const reply = await callGraph(t.sim, '/v1.0/users/offers@contoso.com/sendMail', {
      method: 'POST',
      token,
      body: { message, saveToSentItems: true },
    });
    expect(reply.status).toBe(202);
    const requestId = reply.headers.get('request-id') ?? '';
    const mail = t.sim.accepted().find((m) => m.requestId === requestId);
    if (!mail) throw new Error('accepted mail not recorded');
    return {
      mail,
      requestId,
      eml: parseMime(await readFile(mail.emlPath, 'utf8')),
      html: await readFile(mail.htmlPath, 'utf8'),
    };
  }

  it('writes an RFC 5322 message with the headers, the HTML, a text rendering and the attachments', async () => {
    const { eml, html, mail, requestId } = await sendAndRead({
      subject: 'Your offer — Zoë, welcome',
      body: {
        contentType: 'HTML',
        content:
          '<html><body><h1>Welcome Zoë</h1><p>Start on <b>4 January</b>.<br>See <a href="https://hr.contoso.com/x">your portal</a>.</p></body></html>',
      },
      toRecipients: [{ emailAddress: { address: 'zoe@example.org', name: 'Zoë Ørsted' } }],
      ccRecipients: [{ emailAddress: { address: 'manager@contoso.com', name: 'Line "Manager"' } }],
      bccRecipients: [{ emailAddress: { address: 'archive@contoso.com' } }],
      importance: 'high',
      internetMessageHeaders: [
        { name: 'X-Trace-Intent', value: 'offer' },
        { name: 'X-Business-Id', value: 'CAND-12345' },
      ],
      singleValueExtendedProperties: keyProperty('offer-CAND-12345-2026-11'),
      attachments: [
        {
          '@odata.type': '#microsoft.graph.fileAttachment',
          name: 'offer.pdf',
          contentType: 'application/pdf',
          contentBytes: PDF.toString('base64'),
        },
        {
          '@odata.type': '#microsoft.graph.fileAttachment',
          name: 'note é.txt',
          contentType: 'text/plain',
          contentBytes: Buffer.from(NOTE).toString('base64'),
        },
      ],
    });

    const h = eml.headers;
    expect(h.get('from')).toBe('<offers@contoso.com>');
    expect(decodeWords(h.get('to') ?? '')).toBe('Zoë Ørsted <zoe@example.org>');
    expect(h.get('cc')).toBe('"Line \\"Manager\\"" <manager@contoso.com>');
    expect(h.get('bcc')).toBe('<archive@contoso.com>');
    expect(decodeWords(h.get('subject') ?? '')).toBe('Your offer — Zoë, welcome');
    expect(h.get('message-id')).toMatch(/^<[^<>@\s]+@contoso\.com>$/);
    expect(Date.parse(h.get('date') ?? '')).toBe(
      Date.parse(mail.acceptedAt) - (Date.parse(mail.acceptedAt) % 1000),
    );
    expect(h.get('mime-version')).toBe('1.0');
    expect(h.get('importance')).toBe('high');
    expect(h.get('x-trace-intent')).toBe('offer');
    expect(h.get('x-business-id')).toBe('CAND-12345');
    expect(h.get('x-hrcourier-key')).toBe('offer-CAND-12345-2026-11');

    expect(eml.contentType).toBe('multipart/mixed');
    const alternative = part(eml, 0);
    expect(alternative.contentType).toBe('multipart/alternative');
    const [text, htmlPart] = [part(alternative, 0), part(alternative, 1)];
    expect(text.contentType).toBe('text/plain');
    expect(text.text).toBe('Welcome Zoë\n\nStart on 4 January.\nSee your portal <https://hr.contoso.com/x>.');
    expect(htmlPart.contentType).toBe('text/html');
    expect(htmlPart.text).toContain('<h1>Welcome Zoë</h1>');

    const pdf = part(eml, 1);
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe('attachment; filename="offer.pdf"');
    expect(pdf.bytes.equals(PDF)).toBe(true);
    const note = part(eml, 2);
    expect(note.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''note%20%C3%A9.txt");
    expect(note.text).toBe(NOTE);

    expect(html).toContain('<h1>Welcome Zoë</h1>');
    for (const path of [mail.emlPath, mail.htmlPath]) {
      expect(basename(path)).toMatch(new RegExp(`^\\d{8}T\\d{9}Z-${requestId}\\.(eml|html)$`));
    }
  });

  it('renders a text body as both parts, and writes no key header when the mail has none', async () => {
    const { eml, html } = await sendAndRead({
      subject: 'Policy update',
      body: { contentType: 'Text', content: 'Line 1 <not a tag>\nLine 2' },
      toRecipients: [{ emailAddress: { address: 'staff@example.org' } }],
    });
    expect(eml.contentType).toBe('multipart/alternative');
    expect(part(eml, 0).text).toBe('Line 1 <not a tag>\nLine 2');
    expect(part(eml, 1).text).toBe('<pre>Line 1 &lt;not a tag&gt;\nLine 2</pre>');
    expect(eml.headers.has('x-hrcourier-key')).toBe(false);
    expect(eml.headers.has('importance')).toBe(false);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('keeps recipients and subjects out of the outbox file names', async () => {
    const files = await readdir(t.outboxDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file).not.toMatch(/@|offer|policy|zoe|staff/i);
  });
});
