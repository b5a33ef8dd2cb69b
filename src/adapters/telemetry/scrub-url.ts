/**
 * Makes URLs safe to emit (docs/architecture.md §5.5). A blob URL's path is `{container}/{businessId}/{file}`:
 * the file name is PII-adjacent, so storage URLs keep their container (or queue, or table) only.
 * Query strings go everywhere: they carry SAS signatures, OData filters with keys, and token requests.
 * User info and fragments go too. Other paths stay (Graph paths hold the sender mailbox, which is allowed).
 */
export interface UrlScrubber {
  /** The safe form of one URL; text that is not a URL loses everything from its first `?` or `#`. */
  url(raw: string): string;
  /** Rewrites every http(s) URL inside free text (error messages, span names). */
  text(value: string): string;
}

export interface UrlScrubberOptions {
  /**
   * Storage service endpoints whose paths must be cut to their first segment, for hosts the default
   * rules do not recognise (a custom domain, a proxy), e.g. `https://files.contoso.com/hrstore`.
   */
  storageEndpoints?: readonly string[];
}

// Azure Storage in the public, US Government and China clouds, including DNS-zone endpoints.
const AZURE_STORAGE_HOST =
  /\.(?:blob|dfs|file|queue|table)\.(?:core\.windows\.net|core\.usgovcloudapi\.net|core\.chinacloudapi\.cn|storage\.azure\.net)$/i;

// Azurite and the emulator use path-style URLs under the well-known development account.
const DEV_ACCOUNT = 'devstoreaccount1';

const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>`]+/gi;

interface Endpoint {
  origin: string;
  segments: string[];
}

function pathSegments(pathname: string): string[] {
  return pathname.split('/').filter((s) => s !== '');
}

function parseEndpoint(raw: string): Endpoint {
  const url = URL.parse(raw);
  if (url === null) throw new Error('storageEndpoints: each entry must be an absolute URL');
  return { origin: url.origin.toLowerCase(), segments: pathSegments(url.pathname) };
}

function startsWith(segments: string[], prefix: string[]): boolean {
  return prefix.every((s, i) => segments[i]?.toLowerCase() === s.toLowerCase());
}

export function createUrlScrubber(options: UrlScrubberOptions = {}): UrlScrubber {
  const endpoints = (options.storageEndpoints ?? []).map(parseEndpoint);

  /** How many leading path segments are safe to keep, or undefined for all. */
  function keptSegments(url: URL, segments: string[]): number | undefined {
    const origin = url.origin.toLowerCase();
    for (const e of endpoints) {
      if (e.origin === origin && startsWith(segments, e.segments)) return e.segments.length + 1;
    }
    if (AZURE_STORAGE_HOST.test(url.hostname)) return 1;
    if (segments[0] === DEV_ACCOUNT) return 2;
    return undefined;
  }

  function url(raw: string): string {
    const parsed = URL.parse(raw);
    if (parsed === null || parsed.origin === 'null') return raw.replace(/[?#].*$/s, '');
    const segments = pathSegments(parsed.pathname);
    const keep = keptSegments(parsed, segments);
    const pathname =
      keep === undefined || keep >= segments.length
        ? parsed.pathname
        : `/${segments.slice(0, keep).join('/')}`;
    return `${parsed.origin}${pathname}`;
  }

  return {
    url,
    text: (value) => value.replace(URL_IN_TEXT, (match) => url(match)),
  };
}
