import { describe, expect, it } from 'vitest';
import { parseStorageConnection, storageEndpoints } from '../../../src/adapters/storage/connection.js';

const KEY = 'c2VjcmV0LWFjY291bnQta2V5LW5ldmVyLXByaW50LW1l';
const AZURE = `DefaultEndpointsProtocol=https;AccountName=hrcourier01;AccountKey=${KEY};EndpointSuffix=core.windows.net`;

/** The error a setting produces: one line, naming the setting, never repeating the secret. */
function failure(env: Record<string, string | undefined>, prefix?: string): string {
  try {
    parseStorageConnection(env, prefix);
  } catch (e) {
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    expect(message).not.toContain(KEY);
    return message;
  }
  throw new Error('expected the settings to be refused');
}

describe('parseStorageConnection', () => {
  it('takes an account connection string as it is and derives its endpoints', () => {
    const connection = parseStorageConnection({ AzureWebJobsStorage: AZURE });
    expect(connection).toEqual({ kind: 'connection-string', connectionString: AZURE });
    expect(storageEndpoints(connection)).toEqual({
      blob: 'https://hrcourier01.blob.core.windows.net',
      queue: 'https://hrcourier01.queue.core.windows.net',
      table: 'https://hrcourier01.table.core.windows.net',
    });
  });

  it("maps UseDevelopmentStorage=true to Azurite's default endpoints", () => {
    const connection = parseStorageConnection({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(storageEndpoints(connection)).toEqual({
      blob: 'http://127.0.0.1:10000/devstoreaccount1',
      queue: 'http://127.0.0.1:10001/devstoreaccount1',
      table: 'http://127.0.0.1:10002/devstoreaccount1',
    });
  });

  it('derives identity-based endpoints from the account name, with a user-assigned identity', () => {
    const clientId = '6f1c2b3a-0d4e-4f5a-9b8c-7d6e5f4a3b2c';
    const connection = parseStorageConnection({
      AzureWebJobsStorage__accountName: 'hrcourier01',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: clientId,
    });
    expect(connection).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://hrcourier01.blob.core.windows.net',
      queueServiceUri: 'https://hrcourier01.queue.core.windows.net',
      tableServiceUri: 'https://hrcourier01.table.core.windows.net',
      clientId,
    });
  });

  it('lets explicit service URIs override the account name, and needs all three without one', () => {
    const connection = parseStorageConnection({
      AzureWebJobsStorage__accountName: 'hrcourier01',
      AzureWebJobsStorage__tableServiceUri: 'https://tables.example.net/',
    });
    expect(connection).toMatchObject({
      tableServiceUri: 'https://tables.example.net',
      queueServiceUri: 'https://hrcourier01.queue.core.windows.net',
    });
    expect(connection).not.toHaveProperty('clientId');
    expect(
      failure({
        AzureWebJobsStorage__blobServiceUri: 'https://hrcourier01.blob.core.windows.net',
        AzureWebJobsStorage__queueServiceUri: 'https://hrcourier01.queue.core.windows.net',
      }),
    ).toMatch(/^AzureWebJobsStorage__tableServiceUri is not set/);
  });

  it('prefers the plain setting over identity settings, as the Functions host does', () => {
    const connection = parseStorageConnection({
      AzureWebJobsStorage: AZURE,
      AzureWebJobsStorage__accountName: 'other',
    });
    expect(connection.kind).toBe('connection-string');
  });

  it('reads a connection under another prefix', () => {
    const connection = parseStorageConnection(
      { HrCourierStorage__accountName: 'hrcourier02' },
      'HrCourierStorage',
    );
    expect(storageEndpoints(connection).table).toBe('https://hrcourier02.table.core.windows.net');
  });

  it('refuses missing or broken settings with one line naming the setting', () => {
    expect(failure({})).toMatch(/^AzureWebJobsStorage is not set/);
    expect(failure({ AzureWebJobsStorage: '   ' })).toMatch(/^AzureWebJobsStorage is not set/);
    expect(failure({ AzureWebJobsStorage: `just-some-text-${KEY}` })).toMatch(/^AzureWebJobsStorage is not/);
    expect(failure({ AzureWebJobsStorage: `AccountName=hrcourier01;AccountKey=` })).toMatch(
      /^AzureWebJobsStorage has neither AccountName with AccountKey/,
    );
    expect(failure({ AzureWebJobsStorage: `${AZURE};TableEndpoint=http://storage.example.net/t` })).toMatch(
      /^AzureWebJobsStorage TableEndpoint must use https/,
    );
    expect(failure({ AzureWebJobsStorage__accountName: 'Not_An_Account' })).toMatch(
      /^AzureWebJobsStorage__accountName must be/,
    );
    expect(
      failure({ AzureWebJobsStorage__accountName: 'ok1', AzureWebJobsStorage__credential: 'secret' }),
    ).toMatch(/^AzureWebJobsStorage__credential must be managedidentity/);
    expect(failure({ AzureWebJobsStorage__accountName: 'ok1', AzureWebJobsStorage__clientId: 'me' })).toMatch(
      /^AzureWebJobsStorage__clientId must be/,
    );
    expect(
      failure({
        AzureWebJobsStorage__accountName: 'ok1',
        AzureWebJobsStorage__tableServiceUri: 'http://127.0.0.1:10002/devstoreaccount1',
      }),
    ).toMatch(/^AzureWebJobsStorage__tableServiceUri must be an https URL/);
  });

  it('accepts plain http only towards a loopback emulator', () => {
    const local = `AccountName=devstoreaccount1;AccountKey=${KEY};DefaultEndpointsProtocol=http;TableEndpoint=http://localhost:10002/devstoreaccount1;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://[::1]:10001/devstoreaccount1`;
    expect(storageEndpoints(parseStorageConnection({ AzureWebJobsStorage: local })).table).toBe(
      'http://localhost:10002/devstoreaccount1',
    );
  });
});
