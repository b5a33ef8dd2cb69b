import azureFunctions from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createQueueHandler, queueEntryText } from '../../src/functions/queue-handler.js';
import type { Runtime } from '../../src/runtime/compose.js';
import { createHarness } from '../core/deliver-harness.js';
import { asText, validMessage } from '../support/messages.js';

// @azure/functions is CommonJS: under ESM, InvocationContext comes from the default export.
const { InvocationContext } = azureFunctions;

function handlerOver(h: ReturnType<typeof createHarness>) {
  const runtime = { deliver: (input) => h.deliverWith(input) } as Pick<Runtime, 'deliver'> as Runtime;
  return createQueueHandler(() => Promise.resolve(runtime));
}

const context = (triggerMetadata: Record<string, unknown>) => {
  const logs: unknown[][] = [];
  const ctx = new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'deliver',
    triggerMetadata,
    logHandler: (_level, ...args) => logs.push(args),
  });
  return { ctx, logs };
};

describe('the queue trigger handler', () => {
  it('delivers the exact bytes with the dequeue count and message id from the trigger metadata', async () => {
    const h = createHarness();
    const text = asText(validMessage());
    const { ctx, logs } = context({ dequeueCount: 3, id: 'queue-message-9' });
    await handlerOver(h)(Buffer.from(text, 'utf8'), ctx);
    expect(h.mailer.requests).toHaveLength(1);
    const sent = h.events('Mail.Sent')[0]?.properties;
    expect(sent).toMatchObject({ dequeueCount: 3, queueMessageId: 'queue-message-9' });
    expect(logs[0]?.[0]).toBe('hr-courier sent');
    expect(JSON.stringify(logs)).not.toContain('Zebulon');
  });

  it('acks bad input (poisoned with its original bytes) instead of failing the invocation', async () => {
    const h = createHarness();
    const { ctx } = context({ dequeueCount: 1 });
    await handlerOver(h)(Buffer.from('{"version":1,', 'utf8'), ctx);
    expect(h.poison.texts()).toEqual(['{"version":1,']);
  });

  it('fails the invocation (so the host retries) when the ledger cannot record an outcome', async () => {
    const h = createHarness({ settings: { ledgerRetryBudgetMs: 1_000 } });
    h.ledger.setOutage(true);
    const { ctx } = context({ dequeueCount: 1 });
    await expect(handlerOver(h)(Buffer.from(asText(validMessage())), ctx)).rejects.toThrow();
    expect(h.mailer.requests).toHaveLength(0);
  });

  it('reads every shape the library may hand over', () => {
    expect(queueEntryText(Buffer.from('{"a": 1}'))).toBe('{"a": 1}');
    expect(queueEntryText('plain text')).toBe('plain text');
    expect(queueEntryText({ a: 1 })).toBe('{"a":1}');
  });
});
