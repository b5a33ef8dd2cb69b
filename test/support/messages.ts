import type { HrMailMessageInput } from '../../src/core/contract.js';

/** A valid contract-v1 message for tests; override any field. Names and addresses are fictional. */
export function validMessage(
  overrides: Partial<Record<keyof HrMailMessageInput, unknown>> = {},
): HrMailMessageInput {
  return {
    version: 1,
    idempotencyKey: 'offer-CAND-777-2026-11',
    businessId: 'CAND-777',
    intent: 'offer',
    sender: 'offers@contoso.com',
    template: 'test-offer',
    data: { candidateName: 'Zebulon Quartermaine', startDate: '2027-01-04' },
    to: [{ address: 'zebulon.quartermaine@example.org', name: 'Zebulon Quartermaine' }],
    ...overrides,
  } as HrMailMessageInput;
}

export const asText = (m: unknown): string => JSON.stringify(m);

/** The blob the message of `everyFieldMessage({ withBlob: true })` refers to, for an attachment store. */
export const EVERY_FIELD_BLOB = 'CAND-777/Quartermaine-offer.pdf';

/**
 * A valid contract-v1 message that uses every field of the contract (for the `test-offer` template of
 * the fake catalog; notBefore is in the past and expiresAt in the future of the fake clock). With
 * `withBlob`, a second attachment is a claim check on EVERY_FIELD_BLOB. Names and addresses are fictional.
 */
export function everyFieldMessage(options: { withBlob?: boolean } = {}): HrMailMessageInput {
  const inline = {
    name: 'Quartermaine-offer-summary.txt',
    contentType: 'text/plain',
    contentBytes: Buffer.from('Offer summary for Zebulon Quartermaine').toString('base64'),
  };
  const claimCheck = {
    name: 'Quartermaine-offer.pdf',
    contentType: 'application/pdf',
    blob: EVERY_FIELD_BLOB,
  };
  return validMessage({
    templateVersion: '2',
    data: {
      candidateName: 'Zebulon Quartermaine',
      startDate: '2027-01-04',
      salary: { amount: 87650, currency: 'GBP' },
      conditions: ['Two references, one from Philippa Ironside'],
    },
    to: [{ address: 'zebulon.quartermaine@example.org', name: 'Zebulon Quartermaine' }],
    cc: [{ address: 'philippa.ironside@example.org', name: 'Philippa Ironside' }],
    bcc: [{ address: 'records.keeper@example.net' }],
    replyTo: [{ address: 'offers@contoso.com', name: 'Offers Team' }],
    attachments: options.withBlob ? [inline, claimCheck] : [inline],
    headers: { 'X-Requisition': 'REQ-777' },
    importance: 'high',
    saveToSentItems: true,
    notBefore: '2026-11-24T00:00:00Z',
    expiresAt: '2026-12-31T00:00:00Z',
    requestedAt: '2026-11-25T09:00:00Z',
    correlationId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });
}
