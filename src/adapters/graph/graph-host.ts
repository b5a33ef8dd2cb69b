/**
 * `GRAPH_BASE_URL` decides where the managed identity's token is sent, so it is held to an exact
 * list of national-cloud Graph hosts (docs/architecture.md §5.6). Pure: the caller passes the setting and
 * the two facts it depends on.
 */

export interface GraphHost {
  /** `https://<host>` with no trailing slash; the Graph client adds `/v1.0/...`. */
  baseUrl: string;
  /** The URL's host, with the port when a dev-mode loopback host has one. */
  host: string;
  /** The token scope for this cloud, `https://<graph host>/.default`. */
  scope: string;
  /** Hostnames (no port) the Graph client must treat as Graph so it attaches the token. */
  customHosts: string[];
}

export interface GraphHostOptions {
  /** `HR_COURIER_DEV_MODE=1`. */
  devMode: boolean;
  /** Running in Azure (`WEBSITE_INSTANCE_ID` is set). */
  inAzure: boolean;
}

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';

/** Each national cloud has its own Graph host and its own token audience. */
const GRAPH_SCOPES: ReadonlyMap<string, string> = new Map([
  ['graph.microsoft.com', 'https://graph.microsoft.com/.default'],
  ['graph.microsoft.us', 'https://graph.microsoft.us/.default'],
  ['dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/.default'],
  ['microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
]);

/**
 * The simulator's loopback hosts. `[::1]` is left out on purpose: the Graph client decides whether to
 * attach the token by cutting the host at the first `:`, so an IPv6 literal never matches a custom
 * host and every request would go out without a token.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost']);

const SETTING = 'GRAPH_BASE_URL';
const ALLOWED_LIST = [...GRAPH_SCOPES.keys()].join(', ');

function refuse(rule: string): Error {
  // The value itself is never echoed: it could carry user info (a password) in a bad URL.
  return new Error(`${SETTING} ${rule}`);
}

/**
 * Validates `GRAPH_BASE_URL` and returns where to send requests and which token scope to ask for.
 * Throws an Error whose one-line message names the setting and the rule broken.
 */
export function parseGraphBaseUrl(raw: string | undefined, options: GraphHostOptions): GraphHost {
  const text = raw === undefined || raw === '' ? DEFAULT_GRAPH_BASE_URL : raw;

  // The URL parser silently drops surrounding spaces and inner tabs/newlines; a value that needs such
  // repair is refused rather than guessed at.
  if (/[\s\p{Cc}]/u.test(text)) {
    throw refuse('must not contain whitespace or control characters');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('must be an absolute https URL such as https://graph.microsoft.com');
  }
  if (url.protocol !== 'https:') {
    throw refuse('must use https');
  }
  if (url.username !== '' || url.password !== '' || text.includes('@')) {
    throw refuse('must not contain user info');
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw refuse('must not have a query or fragment');
  }
  if (url.pathname !== '/') {
    throw refuse('must have no path (the client adds /v1.0)');
  }

  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  const scope = GRAPH_SCOPES.get(url.hostname);
  if (scope === undefined && !loopback) {
    if (url.hostname === '[::1]') {
      throw refuse('may not use [::1]: use 127.0.0.1 or localhost for a local simulator');
    }
    throw refuse(`host must be exactly one of ${ALLOWED_LIST}`);
  }
  if (loopback && (!options.devMode || options.inAzure)) {
    throw refuse(
      options.inAzure
        ? 'may not name a loopback host when running in Azure (WEBSITE_INSTANCE_ID is set)'
        : 'may name a loopback host only with HR_COURIER_DEV_MODE=1',
    );
  }
  // The parser drops a default port (`:443`), so look at the text as well.
  const hasPort = url.port !== '' || /^https:\/\/[^/]*:/iu.test(text);
  if (hasPort && !loopback) {
    throw refuse('must not have a port');
  }

  const baseUrl = `https://${url.host}`;
  // Anything the parser had to normalise (upper case, percent-encoding, backslashes, Unicode host
  // names) means the text is not literally the host it will reach: refuse it.
  if (text !== baseUrl && text !== `${baseUrl}/`) {
    throw refuse('must be written in canonical form: lower-case https://<host>, optional trailing /');
  }

  return {
    baseUrl,
    host: url.host,
    scope: scope ?? 'https://graph.microsoft.com/.default',
    customHosts: loopback ? [url.hostname] : [],
  };
}
