/**
 * Azurite's well-known development account (public, documented by Microsoft; not a secret). The
 * storage adapter needs it because `UseDevelopmentStorage=true` means this account to every storage
 * SDK; the dev tools that start Azurite use the same one.
 */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

/** Azurite's default ports, which `UseDevelopmentStorage=true` means to every storage SDK. */
export const AZURITE_DEFAULT_PORTS: Readonly<AzuritePorts> = { blob: 10000, queue: 10001, table: 10002 };

export function azuriteConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT}`,
    '',
  ].join(';');
}
