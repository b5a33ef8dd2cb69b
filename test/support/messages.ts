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
