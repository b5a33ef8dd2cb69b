import { describe, expect, it } from 'vitest';
import { messageSchemaV1 } from '../../src/core/contract.js';
import { buildGraphMessage } from '../../src/core/graph-message.js';
import { HR_COURIER_KEY_PROPERTY_ID } from '../../src/ports/graph.js';
import type { RenderedMail } from '../../src/ports/templates.js';
import { validMessage } from '../support/messages.js';

const rendered: RenderedMail = {
  template: 't',
  version: '1',
  subject: 'Your offer',
  html: '<p>Hi</p>',
  text: 'Hi',
};

describe('the sendMail request', () => {
  it('carries the trace headers, the producer headers and the HrCourierKey property', () => {
    const m = messageSchemaV1.parse(validMessage({ headers: { 'X-Requisition': 'R-77' } }));
    const { message, saveToSentItems } = buildGraphMessage(m, rendered, [], 'offer-CAND-777-2026-11');
    expect(saveToSentItems).toBe(true);
    expect(message.internetMessageHeaders).toEqual([
      { name: 'X-Trace-Intent', value: 'offer' },
      { name: 'X-Business-Id', value: 'CAND-777' },
      { name: 'X-Requisition', value: 'R-77' },
    ]);
    expect(message.singleValueExtendedProperties).toEqual([
      { id: HR_COURIER_KEY_PROPERTY_ID, value: 'offer-CAND-777-2026-11' },
    ]);
    expect(message.body).toEqual({ contentType: 'HTML', content: '<p>Hi</p>' });
    expect(message.toRecipients).toEqual([
      { emailAddress: { address: 'zebulon.quartermaine@example.org', name: 'Zebulon Quartermaine' } },
    ]);
    expect(message).not.toHaveProperty('ccRecipients');
  });

  it('never sends more than five internet headers', () => {
    const m = messageSchemaV1.parse(validMessage({ headers: { 'X-A': '1', 'X-B': '2', 'X-C': '3' } }));
    expect(buildGraphMessage(m, rendered, [], 'k').message.internetMessageHeaders).toHaveLength(5);
  });

  it('honours saveToSentItems false and importance', () => {
    const m = messageSchemaV1.parse(validMessage({ saveToSentItems: false, importance: 'high' }));
    const body = buildGraphMessage(m, rendered, [], 'k');
    expect(body.saveToSentItems).toBe(false);
    expect(body.message.importance).toBe('high');
  });

  it('refuses a request over Graph’s 4 MB as TooLarge before calling Graph', () => {
    const m = messageSchemaV1.parse(validMessage());
    const big = {
      name: 'big.bin',
      contentType: 'application/octet-stream',
      contentBytes: 'A'.repeat(4_300_000),
    };
    expect(() => buildGraphMessage(m, rendered, [big], 'k')).toThrow(/TooLarge/);
  });
});
