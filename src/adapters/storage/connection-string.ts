/**
 * Reading an Azure Storage connection string (`Name=value;Name=value`) far enough to know its
 * endpoints and to refuse a broken one at start-up. Messages name the setting, never its value:
 * a connection string carries an account key.
 */

export type StorageService = 'blob' | 'queue' | 'table';

export type ServiceEndpoints = Record<StorageService, string>;

const SERVICES: readonly StorageService[] = ['blob', 'queue', 'table'];

const ENDPOINT_NAME = {
  blob: 'BlobEndpoint',
  queue: 'QueueEndpoint',
  table: 'TableEndpoint',
} as const satisfies Record<StorageService, string>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for `http://` on a loopback host: the only place an emulator may run without TLS. */
export function isLoopbackHttp(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed?.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
}

function parsePairs(connectionString: string, setting: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const segment of connectionString.split(';')) {
    if (segment.trim() === '') continue;
    const eq = segment.indexOf('=');
    // Values may contain '=' (base64 keys, SAS signatures): split on the first one only.
    const name = eq > 0 ? segment.slice(0, eq).trim() : '';
    if (name === '') {
      throw new Error(
        `${setting} is not a storage connection string (expected Name=value pairs separated by ';')`,
      );
    }
    pairs.set(name, segment.slice(eq + 1).trim());
  }
  return pairs;
}

function checkEndpoint(url: string, setting: string, name: string): string {
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new Error(`${setting} has an invalid ${name} (expected an http(s) URL)`);
  }
  if (parsed.protocol === 'http:' && !isLoopbackHttp(url)) {
    throw new Error(`${setting} ${name} must use https (plain http is allowed only on a loopback emulator)`);
  }
  return url.replace(/\/+$/, '');
}

/**
 * The blob, queue and table endpoints of a connection string, as the storage SDKs derive them:
 * an explicit `{Service}Endpoint`, else `{protocol}://{AccountName}.{service}.{EndpointSuffix}`.
 * Throws one line naming `setting` when the string cannot work.
 */
export function connectionStringEndpoints(connectionString: string, setting: string): ServiceEndpoints {
  const pairs = parsePairs(connectionString, setting);
  const account = pairs.get('AccountName');
  if (!pairs.has('SharedAccessSignature') && (account === undefined || !pairs.get('AccountKey'))) {
    throw new Error(`${setting} has neither AccountName with AccountKey nor a SharedAccessSignature`);
  }
  const protocol = pairs.get('DefaultEndpointsProtocol') ?? 'https';
  if (protocol !== 'https' && protocol !== 'http') {
    throw new Error(`${setting} has an invalid DefaultEndpointsProtocol (expected https or http)`);
  }
  const suffix = pairs.get('EndpointSuffix') ?? 'core.windows.net';
  const endpoints: Partial<ServiceEndpoints> = {};
  for (const service of SERVICES) {
    const name = ENDPOINT_NAME[service];
    const explicit = pairs.get(name);
    if (explicit !== undefined && explicit !== '') {
      endpoints[service] = checkEndpoint(explicit, setting, name);
    } else if (account !== undefined && account !== '') {
      endpoints[service] = checkEndpoint(`${protocol}://${account}.${service}.${suffix}`, setting, name);
    } else {
      throw new Error(`${setting} has no ${name} and no AccountName to derive it from`);
    }
  }
  return endpoints as ServiceEndpoints;
}
