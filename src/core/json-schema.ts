import { z } from 'zod';
import { messageSchemaV1 } from './contract.js';

export const SCHEMA_ID = 'urn:hr-courier:schema:hr-mail-message:v1';

/**
 * The published JSON Schema of contract v1, generated from the validator so the two cannot drift
 * (a test compares it with the committed `schema/hr-mail-message.v1.json`). Cross-field rules (the
 * 500-recipient total, blob paths under `{businessId}/`, reserved headers) are enforced by the
 * validator and described here in `description`s.
 */
export function contractJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(messageSchemaV1, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    $schema: generated.$schema,
    $id: SCHEMA_ID,
    title: 'hr-courier queue message, contract v1',
    description:
      'One HR email to send through Microsoft Graph. JSON text, UTF-8, not base64, at most 64 KB. ' +
      'Also enforced: to + cc + bcc at most 500 recipients; at most 3 producer headers, not X-Trace-Intent or ' +
      'X-Business-Id; attachment blob paths relative to the attachments container and starting with "{businessId}/" ' +
      '(no URL, no "..", no leading "/", no percent-encoded separators); expiresAt later than notBefore.',
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}

export const contractJsonSchemaText = (): string => `${JSON.stringify(contractJsonSchema(), null, 2)}\n`;
