import { describe, expect, it } from 'vitest';
import { createUrlScrubber } from '../../../src/adapters/telemetry/scrub-url.js';

describe('createUrlScrubber', () => {
  const scrubber = createUrlScrubber();

  it('cuts an Azure blob URL to its container and drops the SAS query', () => {
    expect(
      scrubber.url(
        'https://hrstore.blob.core.windows.net/hr-attachments/CAND-12345/offer-ada-lovelace.pdf?sv=2024-08-04&se=2026-12-01&sig=abc%3D',
      ),
    ).toBe('https://hrstore.blob.core.windows.net/hr-attachments');
  });

  it('does the same in the sovereign clouds and on DNS-zone endpoints', () => {
    expect(scrubber.url('https://a.blob.core.usgovcloudapi.net/c/CAND-1/f.pdf')).toBe(
      'https://a.blob.core.usgovcloudapi.net/c',
    );
    expect(scrubber.url('https://a.blob.core.chinacloudapi.cn/c/CAND-1/f.pdf')).toBe(
      'https://a.blob.core.chinacloudapi.cn/c',
    );
    expect(scrubber.url('https://a.z12.blob.storage.azure.net/c/CAND-1/f.pdf')).toBe(
      'https://a.z12.blob.storage.azure.net/c',
    );
  });

  it('keeps account and container of a path-style Azurite URL', () => {
    expect(scrubber.url('http://127.0.0.1:10000/devstoreaccount1/hr-attachments/CAND-1/offer.pdf')).toBe(
      'http://127.0.0.1:10000/devstoreaccount1/hr-attachments',
    );
  });

  it('cuts paths under a configured storage endpoint', () => {
    const custom = createUrlScrubber({ storageEndpoints: ['https://files.contoso.com/hrstore/'] });
    expect(custom.url('https://FILES.contoso.com/hrstore/hr-attachments/CAND-1/offer.pdf?x=1')).toBe(
      'https://files.contoso.com/hrstore/hr-attachments',
    );
    expect(custom.url('https://files.contoso.com/other/path')).toBe('https://files.contoso.com/other/path');
  });

  it('keeps a Graph path (the sender mailbox is allowed) but never its query or user info', () => {
    expect(
      scrubber.url(
        "https://user:secret@graph.microsoft.com/v1.0/users/offers@contoso.com/messages?$filter=singleValueExtendedProperties/Any(ep: ep/value eq 'k')#x",
      ),
    ).toBe('https://graph.microsoft.com/v1.0/users/offers@contoso.com/messages');
  });

  it('strips the query of text that does not parse as a URL', () => {
    expect(scrubber.url('/v1.0/users/x/sendMail?a=b')).toBe('/v1.0/users/x/sendMail');
  });

  it('rewrites every URL inside free text', () => {
    expect(
      scrubber.text(
        'GET https://s.blob.core.windows.net/c/CAND-1/ada.pdf?sig=x failed; retried http://127.0.0.1:10000/devstoreaccount1/c/CAND-1/ada.pdf.',
      ),
    ).toBe('GET https://s.blob.core.windows.net/c failed; retried http://127.0.0.1:10000/devstoreaccount1/c');
  });
});
