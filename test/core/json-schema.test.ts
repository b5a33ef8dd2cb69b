import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { contractJsonSchema, contractJsonSchemaText } from '../../src/core/json-schema.js';

describe('the published JSON Schema', () => {
  it('is exactly what the validator generates (run `npm run schema` after changing the contract)', async () => {
    const committed = await readFile(
      new URL('../../schema/hr-mail-message.v1.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(contractJsonSchemaText());
  });

  it('describes the required fields and refuses unknown ones', () => {
    const schema = contractJsonSchema() as { required: string[]; additionalProperties: unknown };
    expect(schema.required.sort()).toEqual([
      'businessId',
      'data',
      'intent',
      'sender',
      'template',
      'to',
      'version',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });
});
