import { describe, expect, it } from 'vitest';
import { findPii, piiNeedles } from './pii.js';

const message = {
  version: 1,
  idempotencyKey: 'offer-CAND-4242-2026-11',
  businessId: 'CAND-4242',
  intent: 'offer',
  sender: 'offers@contoso.com',
  template: 'offer-letter',
  data: {
    candidateName: 'Philippa Oyelaran-Whitcombe',
    salary: 91500,
    bonus: 750,
    remote: true,
    startDate: '2027-01-04',
    manager: { name: 'Octavia Brannigan', phone: '+44 20 7946 0958' },
    perks: ['Sabbatical programme', 'gym'],
    candidateRef: 'CAND-4242',
  },
  to: [{ address: 'philippa.ow@example.org', name: 'Philippa Oyelaran-Whitcombe' }],
  cc: [{ address: 'hiring.lead@fabrikam.net' }],
  bcc: [],
  replyTo: [{ address: 'recruiting-desk@contoso.com', name: 'Recruiting Desk' }],
  attachments: [
    {
      name: 'offer-philippa.pdf',
      contentType: 'application/pdf',
      blob: 'CAND-4242/signed/offer-philippa.pdf',
    },
    { name: 'welcome.txt', contentType: 'text/plain', contentBytes: 'V2VsY29tZSBQaGlsaXBwYQ==' },
  ],
};

describe('piiNeedles', () => {
  const needles = piiNeedles(message, ['Your offer from Contoso, Philippa']);

  it('extracts recipients, template data, attachment names and blob paths from a contract-v1 message', () => {
    expect(needles).toEqual(
      expect.arrayContaining([
        'philippa.ow@example.org',
        'Philippa Oyelaran-Whitcombe',
        'Oyelaran-Whitcombe',
        'hiring.lead@fabrikam.net',
        'recruiting-desk@contoso.com',
        'Recruiting Desk',
        '91500',
        'Octavia Brannigan',
        '+44 20 7946 0958',
        'Sabbatical programme',
        'offer-philippa.pdf',
        'CAND-4242/signed/offer-philippa.pdf',
        'signed/offer-philippa.pdf',
        'V2VsY29tZSBQaGlsaXBwYQ==',
        'welcome.txt',
        'Your offer from Contoso, Philippa',
      ]),
    );
  });

  it('drops what is too short or generic to mean anything, and the values the privacy rule allows', () => {
    for (const notANeedle of [
      '750', // a number under five digits
      'gym', // under five characters
      'true',
      '2027-01-04', // dates collide with every log timestamp
      'CAND-4242', // the business id, allowed (even when repeated in data)
      'offers@contoso.com', // the sender mailbox, allowed
      'contoso.com', // recipient domains are allowed
      'example.org',
      'offer-letter',
      'offer-CAND-4242-2026-11',
    ]) {
      expect(needles).not.toContain(notANeedle);
    }
  });

  it('reads the message from its JSON text too', () => {
    expect(piiNeedles(JSON.stringify(message))).toEqual(piiNeedles(message));
  });
});

describe('findPii', () => {
  const needles = piiNeedles(message);

  it('finds nothing in a log line holding only allowed facts', () => {
    const line = JSON.stringify({
      time: '2027-01-04T09:00:00.000Z',
      type: 'event',
      name: 'Mail.Sent',
      properties: {
        businessId: 'CAND-4242',
        key: 'offer-CAND-4242-2026-11',
        sender: 'offers@contoso.com',
        template: 'offer-letter',
        recipientDomains: 'example.org,fabrikam.net,contoso.com',
        recipients: 3,
        durationMs: 750,
      },
    });
    expect(findPii(line, needles)).toEqual([]);
  });

  it('finds a name case-insensitively, with where it was and the text around it', () => {
    const haystack = 'INFO rendered mail for PHILIPPA OYELARAN-WHITCOMBE key=offer-CAND-4242-2026-11';
    const findings = findPii(haystack, needles);
    expect(findings.map((f) => f.needle)).toContain('Philippa Oyelaran-Whitcombe');
    const finding = findings.find((f) => f.needle === 'Philippa Oyelaran-Whitcombe');
    expect(finding?.index).toBe(haystack.indexOf('PHILIPPA'));
    expect(finding?.context).toContain('rendered mail for PHILIPPA');
  });

  it('finds an address URL-encoded in a request URL and a blob path encoded as a query value', () => {
    const url =
      'https://graph.microsoft.com/v1.0/users/offers%40contoso.com/messages?$filter=to%20eq%20%27philippa.ow%40example.org%27';
    expect(findPii(url, needles).map((f) => f.needle)).toContain('philippa.ow@example.org');
    const blob = 'GET /hr-attachments?prefix=CAND-4242%2Fsigned%2Foffer-philippa.pdf';
    expect(findPii(blob, needles).map((f) => f.needle)).toContain('CAND-4242/signed/offer-philippa.pdf');
  });

  it('finds a value JSON-escaped inside a serialised string, including \\u escapes', () => {
    const quoted = piiNeedles({ data: { note: 'He said "welcome aboard"', city: 'Zürich-Oerlikon' } });
    const nested = JSON.stringify({ detail: JSON.stringify({ note: 'He said "welcome aboard"' }) });
    expect(findPii(nested, quoted).map((f) => f.needle)).toEqual(['He said "welcome aboard"']);
    const asciiOnly = '{"city":"Z\\u00fcrich-Oerlikon"}';
    expect(findPii(asciiOnly, quoted).map((f) => f.needle)).toEqual(['Zürich-Oerlikon']);
  });
});
