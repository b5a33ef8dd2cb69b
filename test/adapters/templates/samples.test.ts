import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../../src/adapters/templates/load-template-catalog.js';
import { decodeMessage } from '../../../src/core/decode.js';
import type { TemplateCatalog } from '../../../src/ports/templates.js';
import { CATALOG_DIR, SAMPLES_DIR, sampleData, TEMPLATE_NAMES } from './catalog-fixture.js';

const SENDERS: Record<string, string> = {
  'offer-letter': 'offers@contoso.com',
  'policy-update': 'policies@contoso.com',
  'onboarding-welcome': 'onboarding@contoso.com',
  'termination-notice': 'hr-confidential@contoso.com',
};

let catalog: TemplateCatalog;
beforeAll(async () => {
  catalog = await loadTemplateCatalog(CATALOG_DIR);
});

async function sample(template: string): Promise<string> {
  return readFile(`${SAMPLES_DIR}${template}.json`, 'utf8');
}

describe('the sample queue messages', () => {
  it('include exactly one message per template in the catalog', async () => {
    const files = (await readdir(SAMPLES_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(catalog.list().map((t) => `${t.name}.json`));
  });

  it.each(TEMPLATE_NAMES)(
    '%s is a valid contract v1 message that renders from its sender',
    async (template) => {
      const decoded = decodeMessage(await sample(template));
      if (!decoded.ok) throw new Error(`sample refused: ${decoded.reason.detail}`);
      const m = decoded.message;
      const info = catalog.list().find((t) => t.name === template);

      expect(m.template).toBe(template);
      expect(m.intent).toBe(info?.intent);
      expect(m.sender).toBe(SENDERS[template]);
      expect(m.data).toEqual(await sampleData(template));
      expect(m.idempotencyKey).toBeDefined();
      expect(m.businessId).toMatch(/^(CAND|EMP)-\d+$/);
      expect(m.requestedAt).toBeDefined();
      expect(m.correlationId).toBeDefined();
      // Fictional people only, at domains reserved for examples.
      for (const r of [...m.to, ...m.cc, ...m.bcc, ...m.replyTo]) {
        expect(r.address).toMatch(/@example\.(org|net)$/);
      }

      const mail = catalog.render(
        m.templateVersion === undefined
          ? { template: m.template, data: m.data }
          : { template: m.template, version: m.templateVersion, data: m.data },
      );
      expect(mail.html).toContain(m.to[0]?.name?.split(' ')[0] ?? '(no name)');
    },
  );

  it('give the offer letter an inline attachment and a producer header', async () => {
    const decoded = decodeMessage(await sample('offer-letter'));
    if (!decoded.ok) throw new Error(decoded.reason.detail);
    const [attachment] = decoded.message.attachments;

    const inline = attachment && 'contentBytes' in attachment ? attachment.contentBytes : undefined;
    expect(inline).toBeDefined();
    expect(Buffer.from(inline ?? '', 'base64').toString('utf8')).toContain('governing documents');
    expect(decoded.message.headers).toEqual({ 'X-Requisition': 'REQ-40417' });
    expect(decoded.message.templateVersion).toBe('2');
  });
});
