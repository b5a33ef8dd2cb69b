import { setTimeout as wait } from 'node:timers/promises';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueConsumer } from '../../../src/adapters/queues/queue-consumer.js';
import { QueueStorageError } from '../../../src/adapters/queues/queue-errors.js';
import { poisonQueueName } from '../../../src/adapters/queues/queue-limits.js';
import { createQueueWriter } from '../../../src/adapters/queues/queue-writer.js';
import { startAzurite, type AzuriteHandle } from '../../../src/dev/azurite.js';
import { describeQueueContract } from '../../contracts/queue.js';

let azurite: AzuriteHandle;
let queues = 0;
const freshClient = (): QueueClient => new QueueClient(azurite.connectionString, `contract-${++queues}`);

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

describeQueueContract('Azure Storage adapters on Azurite', () => {
  const client = freshClient();
  return Promise.resolve({
    writer: createQueueWriter(client),
    consumer: createQueueConsumer(client),
    // Visibility is the passage of real time here; nothing to await but the clock.
    elapse: (ms) => wait(ms),
  });
});

describe('the Azure Storage queue adapters', () => {
  it('enqueue with no expiry, so a deferred or poisoned HR email is never dropped after 7 days', async () => {
    const client = freshClient();
    await createQueueWriter(client).send('{"deferred":true}');
    const peeked = await client.peekMessages();
    const expiresOn = peeked.peekedMessageItems[0]?.expiresOn;
    expect(expiresOn?.getUTCFullYear()).toBeGreaterThanOrEqual(9999);
  });

  it('create the queue on first use, and again if it was deleted underneath them', async () => {
    const client = freshClient();
    const writer = createQueueWriter(client);
    expect(await client.exists()).toBe(false);
    await writer.send('{"n":1}');
    await client.delete();
    await writer.send('{"n":2}');
    expect(await createQueueConsumer(client).approximateCount()).toBe(1);
  });

  it('report storage failures with the code and status only, never the message text', async () => {
    const client = new QueueClient(
      azurite.connectionString.replace(`:${azurite.ports.queue}/`, ':1/'),
      'unreachable',
      { retryOptions: { maxTries: 1 } },
    );
    const error = await createQueueWriter(client)
      .send('{"to":"ada@example.org"}')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueStorageError);
    expect(JSON.stringify(error)).not.toContain('ada@example.org');
    expect((error as Error).message).not.toContain('ada@example.org');
    expect((error as QueueStorageError).code).toMatch(/^[A-Z]/);
  });

  it('name the poison queue as the Functions host does, refusing a name too long for it', () => {
    expect(poisonQueueName('hr-mail')).toBe('hr-mail-poison');
    expect(() => poisonQueueName('q'.repeat(57))).toThrow(/at most 56 characters/);
  });
});
