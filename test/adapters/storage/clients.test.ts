import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBlobContainerClient,
  createQueueClient,
  createTableClient,
} from '../../../src/adapters/storage/clients.js';
import { parseStorageConnection, type StorageConnection } from '../../../src/adapters/storage/connection.js';
import { freePort } from '../../../src/dev/free-port.js';
import { startAzurite, type AzuriteHandle } from '../../../src/dev/azurite.js';

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

describe('storage clients from a connection string', () => {
  it('reach tables, blobs and queues of a loopback emulator over plain http', async () => {
    const connection = parseStorageConnection({ AzureWebJobsStorage: azurite.connectionString });

    const table = createTableClient(connection, 'clientcheck');
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 'table ok' });
    expect((await table.getEntity('p', 'r')).value).toBe('table ok');

    const container = createBlobContainerClient(connection, 'client-check');
    await container.create();
    await container.getBlockBlobClient('a/b.txt').uploadData(Buffer.from('blob ok'));
    expect((await container.getBlobClient('a/b.txt').downloadToBuffer()).toString()).toBe('blob ok');

    const queue = createQueueClient(connection, 'client-check');
    await queue.create();
    await queue.sendMessage('queue ok');
    expect((await queue.receiveMessages()).receivedMessageItems[0]?.messageText).toBe('queue ok');
  });
});

describe('storage clients from an identity-based connection', () => {
  /** A credential that records the scopes it is asked for: proof the client authenticates with it. */
  function recordingCredential(): TokenCredential & { scopes: string[] } {
    const scopes: string[] = [];
    return {
      scopes,
      getToken: (requested: string | string[]): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(requested) ? requested : [requested]));
        return Promise.resolve({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
  }

  it('address the configured service URIs and authenticate with a storage token', async () => {
    // Nothing listens there: the request fails after the token was requested, which is what we check.
    const base = `https://127.0.0.1:${await freePort()}`;
    const connection: StorageConnection = parseStorageConnection({
      AzureWebJobsStorage__blobServiceUri: `${base}/blob`,
      AzureWebJobsStorage__queueServiceUri: `${base}/queue`,
      AzureWebJobsStorage__tableServiceUri: `${base}/table`,
    });
    const credential = recordingCredential();
    const options = { credential, maxRetries: 0 };

    const table = createTableClient(connection, 'ledger', options);
    const container = createBlobContainerClient(connection, 'attachments', options);
    const queue = createQueueClient(connection, 'hr-mail', options);
    expect([table.url, container.url, queue.url]).toEqual([
      `${base}/table`,
      `${base}/blob/attachments`,
      `${base}/queue/hr-mail`,
    ]);

    await expect(table.getEntity('p', 'r')).rejects.toThrow();
    await expect(container.getProperties()).rejects.toThrow();
    await expect(queue.getProperties()).rejects.toThrow();
    expect(new Set(credential.scopes)).toEqual(new Set(['https://storage.azure.com/.default']));
    expect(credential.scopes.length).toBeGreaterThanOrEqual(3);
  });
});
