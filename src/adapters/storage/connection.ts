import { AZURITE_DEFAULT_PORTS, azuriteConnectionString } from './azurite-account.js';
import { connectionStringEndpoints, type ServiceEndpoints } from './connection-string.js';

/**
 * How the app reaches its storage account, read the way the Functions host reads it
 * (docs/architecture.md §7): a connection string, or an identity-based connection whose settings share a
 * prefix (`AzureWebJobsStorage__accountName`, `__blobServiceUri`, …).
 */
export type StorageConnection =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'identity';
      blobServiceUri: string;
      queueServiceUri: string;
      tableServiceUri: string;
      /** A user-assigned managed identity; absent means the system-assigned one. */
      clientId?: string;
    };

const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function setting(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function serviceUri(value: string, name: string): string {
  const url = URL.parse(value);
  // Bearer tokens only travel over TLS (the SDKs refuse otherwise), so an identity connection is https.
  if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.search !== '') {
    throw new Error(`${name} must be an https URL without credentials or query`);
  }
  return value.replace(/\/+$/, '');
}

function parseIdentity(env: Record<string, string | undefined>, prefix: string): StorageConnection {
  const credential = setting(env, `${prefix}__credential`);
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    throw new Error(`${prefix}__credential must be managedidentity`);
  }
  const clientId = setting(env, `${prefix}__clientId`);
  if (clientId !== undefined && !GUID.test(clientId)) {
    throw new Error(`${prefix}__clientId must be the client id (a GUID) of a managed identity`);
  }
  const account = setting(env, `${prefix}__accountName`);
  if (account !== undefined && !ACCOUNT_NAME.test(account)) {
    throw new Error(
      `${prefix}__accountName must be a storage account name (3-24 lower-case letters and digits)`,
    );
  }
  const uri = (service: 'blob' | 'queue' | 'table'): string => {
    const name = `${prefix}__${service}ServiceUri`;
    const explicit = setting(env, name);
    if (explicit !== undefined) return serviceUri(explicit, name);
    if (account !== undefined) return `https://${account}.${service}.core.windows.net`;
    throw new Error(`${name} is not set (set it, or ${prefix}__accountName for all three services)`);
  };
  return {
    kind: 'identity',
    blobServiceUri: uri('blob'),
    queueServiceUri: uri('queue'),
    tableServiceUri: uri('table'),
    ...(clientId === undefined ? {} : { clientId }),
  };
}

/**
 * Reads the storage connection named `prefix` from the environment. The plain setting wins when
 * present (as in the Functions host); otherwise the identity-based `{prefix}__*` settings are used.
 * A missing or invalid connection throws an Error whose message is one line naming the setting;
 * it never repeats a value (connection strings carry account keys).
 */
export function parseStorageConnection(
  env: Record<string, string | undefined>,
  prefix = 'AzureWebJobsStorage',
): StorageConnection {
  const plain = setting(env, prefix);
  if (plain !== undefined) {
    if (/^UseDevelopmentStorage=true;?$/i.test(plain)) {
      return { kind: 'connection-string', connectionString: azuriteConnectionString(AZURITE_DEFAULT_PORTS) };
    }
    connectionStringEndpoints(plain, prefix);
    return { kind: 'connection-string', connectionString: plain };
  }
  const identityKeys = ['accountName', 'blobServiceUri', 'queueServiceUri', 'tableServiceUri'];
  if (identityKeys.some((key) => setting(env, `${prefix}__${key}`) !== undefined)) {
    return parseIdentity(env, prefix);
  }
  throw new Error(
    `${prefix} is not set (a connection string, UseDevelopmentStorage=true, or ${prefix}__accountName for an identity-based connection)`,
  );
}

/** The three service endpoints of a connection, without credentials. */
export function storageEndpoints(
  connection: StorageConnection,
  prefix = 'AzureWebJobsStorage',
): ServiceEndpoints {
  return connection.kind === 'identity'
    ? {
        blob: connection.blobServiceUri,
        queue: connection.queueServiceUri,
        table: connection.tableServiceUri,
      }
    : connectionStringEndpoints(connection.connectionString, prefix);
}
