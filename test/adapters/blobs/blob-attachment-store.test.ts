import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachmentReadError,
  createBlobAttachmentStore,
} from '../../../src/adapters/blobs/blob-attachment-store.js';
import { createBlobContainerClient } from '../../../src/adapters/storage/clients.js';
import { parseStorageConnection } from '../../../src/adapters/storage/connection.js';
import { FailureCode } from '../../../src/domain/failure-codes.js';
import { PermanentDeliveryError } from '../../../src/domain/failure.js';
import { azuriteConnectionString, startAzurite, type AzuriteHandle } from '../../../src/dev/azurite.js';
import { describeAttachmentStoreContract } from '../../contracts/attachments.js';
import { startHttpTap, type HttpTapHooks } from '../storage/http-tap.js';

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

const quickRetries = { maxRetries: 1, retryDelayMs: 50, maxRetryDelayMs: 200 };

function containerClient(name: string, blobPort = azurite.ports.blob): ContainerClient {
  const connection = parseStorageConnection({
    AzureWebJobsStorage: azuriteConnectionString({ ...azurite.ports, blob: blobPort }),
  });
  return createBlobContainerClient(connection, name, quickRetries);
}

async function seededContainer(files: Record<string, Buffer>): Promise<ContainerClient> {
  const container = containerClient(`attachments-${randomUUID()}`);
  await container.create();
  for (const [path, bytes] of Object.entries(files)) {
    await container.getBlockBlobClient(path).uploadData(bytes);
  }
  return container;
}

describeAttachmentStoreContract('the Blob Storage attachment store on Azurite', async (files) => {
  const container = await seededContainer(files);
  return {
    store: createBlobAttachmentStore({ container }),
    close: async () => {
      await container.delete();
    },
  };
});

describe('the Blob Storage attachment store against real storage', () => {
  async function tapped(hooks: HttpTapHooks = {}) {
    const seeded = await seededContainer({ 'CAND-1/big.pdf': Buffer.alloc(5000, 1) });
    const tap = await startHttpTap(azurite.ports.blob, hooks);
    const store = createBlobAttachmentStore({ container: containerClient(seeded.containerName, tap.port) });
    return { seeded, tap, store };
  }

  it('refuses an oversized attachment after a HEAD, without downloading it', async () => {
    const { seeded, tap, store } = await tapped();
    await expect(store.read('CAND-1/big.pdf', 1000)).rejects.toThrow(PermanentDeliveryError);
    expect(tap.requests.map((r) => r.method)).toEqual(['HEAD']);
    await tap.close();
    await seeded.delete();
  });

  it('never reads past the limit when the blob is replaced between its HEAD and its download', async () => {
    let replaced = false;
    const { seeded, tap, store } = await tapped({
      beforeForward: async (request) => {
        if (request.method !== 'GET' || replaced) return;
        replaced = true;
        // Another writer swaps in a larger blob after our HEAD said it fit.
        await seeded.getBlockBlobClient('CAND-1/big.pdf').uploadData(Buffer.alloc(50_000, 2));
      },
    });
    const first = await store.read('CAND-1/big.pdf', 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The download was pinned to the HEAD's ETag: refused, and retryable (not a verdict on the message).
    expect(replaced).toBe(true);
    expect(first).toBeInstanceOf(AttachmentReadError);
    expect(first).toMatchObject({ statusCode: 412 });
    // Nothing printable about the failure names the blob.
    expect(inspect(first, { depth: 10 })).not.toContain('big.pdf');
    // The retry sees the new size and refuses it for good.
    await expect(store.read('CAND-1/big.pdf', 10_000)).rejects.toMatchObject({
      reason: { code: FailureCode.AttachmentTooLarge },
    });
    await tap.close();
    await seeded.delete();
  });

  it('does not call a missing container a missing attachment, so the message is retried', async () => {
    const store = createBlobAttachmentStore({ container: containerClient(`absent-${randomUUID()}`) });
    const error = await store.read('CAND-1/offer.pdf', 1000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttachmentReadError);
    expect(error).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
    expect(inspect(error, { depth: 10 })).not.toContain('offer.pdf');
  });
});
