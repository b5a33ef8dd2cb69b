import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteHandle } from '../../src/dev/azurite.js';

describe('the Azurite harness', () => {
  let azurite: AzuriteHandle;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it('gives a connection string the storage SDK can use for a round trip', async () => {
    const queue = new QueueClient(azurite.connectionString, 'harness');
    await queue.create();
    await queue.sendMessage('{"hello":1}');
    const got = await queue.receiveMessages();
    expect(got.receivedMessageItems[0]?.messageText).toBe('{"hello":1}');
  });
});
