import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { isLoopbackHttp } from './connection-string.js';
import { storageEndpoints, type StorageConnection } from './connection.js';

/**
 * SDK retry settings. Our callers retry on their own schedule (the ledger within the invocation,
 * the host by redelivering the message), so the SDK only smooths over a blip and then lets an
 * outage surface within seconds instead of its default of minutes.
 */
export interface StorageClientOptions {
  /** Retries after the first try (default 2). */
  maxRetries?: number;
  /** First retry delay, doubled each time (default 200 ms). */
  retryDelayMs?: number;
  /** Ceiling of the retry delay (default 2 s). */
  maxRetryDelayMs?: number;
  /** Blob and queue only: the limit of one try (default 30 s). Tables: see the ledger's own timeout. */
  tryTimeoutMs?: number;
  /** Identity connections: use this credential instead of a ManagedIdentityCredential (tests, sharing one). */
  credential?: TokenCredential;
}

function retrySettings(options: StorageClientOptions) {
  return {
    maxRetries: options.maxRetries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 200,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 2000,
    tryTimeoutMs: options.tryTimeoutMs ?? 30_000,
  };
}

function credentialFor(
  connection: Extract<StorageConnection, { kind: 'identity' }>,
  options: StorageClientOptions,
): TokenCredential {
  return (
    options.credential ??
    (connection.clientId === undefined
      ? new ManagedIdentityCredential()
      : new ManagedIdentityCredential({ clientId: connection.clientId }))
  );
}

function storageRetry(options: StorageClientOptions) {
  const o = retrySettings(options);
  return {
    maxTries: o.maxRetries + 1,
    retryDelayInMs: o.retryDelayMs,
    maxRetryDelayInMs: o.maxRetryDelayMs,
    tryTimeoutInMs: o.tryTimeoutMs,
  };
}

/** A client for one table. Plain http is allowed only towards a loopback emulator. */
export function createTableClient(
  connection: StorageConnection,
  table: string,
  options: StorageClientOptions = {},
): TableClient {
  const o = retrySettings(options);
  const retryOptions = {
    maxRetries: o.maxRetries,
    retryDelayInMs: o.retryDelayMs,
    maxRetryDelayInMs: o.maxRetryDelayMs,
  };
  if (connection.kind === 'identity') {
    return new TableClient(connection.tableServiceUri, table, credentialFor(connection, options), {
      retryOptions,
    });
  }
  const endpoint = storageEndpoints(connection).table;
  return TableClient.fromConnectionString(connection.connectionString, table, {
    retryOptions,
    allowInsecureConnection: isLoopbackHttp(endpoint),
  });
}

/** A client for one blob container. */
export function createBlobContainerClient(
  connection: StorageConnection,
  container: string,
  options: StorageClientOptions = {},
): ContainerClient {
  const retryOptions = storageRetry(options);
  if (connection.kind === 'identity') {
    const url = `${connection.blobServiceUri}/${encodeURIComponent(container)}`;
    return new ContainerClient(url, credentialFor(connection, options), { retryOptions });
  }
  return new ContainerClient(connection.connectionString, container, { retryOptions });
}

/** A client for one queue. */
export function createQueueClient(
  connection: StorageConnection,
  queue: string,
  options: StorageClientOptions = {},
): QueueClient {
  const retryOptions = storageRetry(options);
  if (connection.kind === 'identity') {
    const url = `${connection.queueServiceUri}/${encodeURIComponent(queue)}`;
    return new QueueClient(url, credentialFor(connection, options), { retryOptions });
  }
  return new QueueClient(connection.connectionString, queue, { retryOptions });
}
