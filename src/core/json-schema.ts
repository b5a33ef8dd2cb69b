import { z } from 'zod';
import { MAX_DEPTH, MAX_PRODUCER_HEADERS, MAX_RECIPIENTS, messageSchemaV1 } from './contract.js';

export const SCHEMA_ID = 'urn:hr-courier:schema:hr-mail-message:v1';

/**
 * The published JSON Schema of contract v1, generated from the validator so the two cannot drift
 * (a test compares it with the committed `schema/hr-mail-message.v1.json`, another runs tricky input
 * through both and expects the same answers). Every rule on one field is a pattern or a bound here;
 * what no JSON Schema can say (nesting depth, rules across fields) is enforced by the validator and
 * stated in the description.
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
      'Patterns are ECMA-262 regular expressions that mean the same with or without the u flag. ' +
      'Also enforced, and not expressible here: JSON nested at most ' +
      `${MAX_DEPTH} levels deep, the message object being level 1; ` +
      `to + cc + bcc at most ${MAX_RECIPIENTS} recipients; attachment blob paths starting with "{businessId}/" ` +
      'and naming a file in that folder; expiresAt later than notBefore. ' +
      `(At most ${MAX_PRODUCER_HEADERS} producer headers, never X-Trace-Intent or X-Business-Id, is expressed below.)`,
    ...Object.fromEntries(Object.entries(generated).filter(([k]) => k !== '$schema')),
  };
}

export const contractJsonSchemaText = (): string => `${JSON.stringify(contractJsonSchema(), null, 2)}\n`;
