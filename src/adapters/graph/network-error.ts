/**
 * Classifies a failed fetch by whether the request can have reached Graph. `before-send` must be
 * provable (the mail cannot have gone out); anything unrecognised is `after-send`, because calling an
 * unknown outcome "not sent" is what turns into a duplicate offer letter.
 */

export type NetworkPhase = 'before-send' | 'after-send';

export interface NetworkFailure {
  phase: NetworkPhase;
  /** A short, value-free code such as ECONNREFUSED or ETIMEDOUT. */
  errorCode: string;
}

/** Failures to resolve or reach the host: no connection was ever made. */
const NO_CONNECTION = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EAI_NODATA',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  // undici's connect timeout: the TCP/TLS connection was never established.
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** OpenSSL verification codes and Node's TLS errors: the handshake failed before any request byte. */
const TLS_CODE =
  /CERT|^UNABLE_TO_|^ERR_TLS_|^ERR_SSL_|^EPROTO$|^HOSTNAME_MISMATCH$|^INVALID_CA$|^INVALID_PURPOSE$|^PATH_LENGTH_EXCEEDED$/u;

/** Node's wording when the peer hangs up during the TLS handshake (ECONNRESET, but before sending). */
const RESET_BEFORE_TLS = 'before secure TLS connection was established';

const SAFE_CODE = /^[A-Za-z0-9_]{1,64}$/u;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}

/** undici wraps the socket error: `TypeError('fetch failed', { cause })`, sometimes one level deeper. */
function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current = asErrorLike(error);
  while (current !== undefined && chain.length < 5 && !chain.includes(current)) {
    chain.push(current);
    current = asErrorLike(current.cause);
  }
  return chain;
}

function safe(code: string): string {
  return SAFE_CODE.test(code) ? code : 'Unknown';
}

export function isAbortError(error: unknown): boolean {
  const name = asErrorLike(error)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

export function classifyNetworkError(error: unknown): NetworkFailure {
  const chain = causes(error);
  if (isAbortError(error)) {
    // The signal can fire at any point, including after the body was written.
    return { phase: 'after-send', errorCode: safe(String(asErrorLike(error)?.name)) };
  }
  for (const link of chain) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    const message = typeof link.message === 'string' ? link.message : '';
    if (code !== undefined && (NO_CONNECTION.has(code) || TLS_CODE.test(code))) {
      return { phase: 'before-send', errorCode: safe(code) };
    }
    if (code === 'ECONNRESET' && message.includes(RESET_BEFORE_TLS)) {
      return { phase: 'before-send', errorCode: 'ECONNRESET' };
    }
    // fetch refuses some ports outright ("bad port") without opening a socket.
    if (code === undefined && message === 'bad port') {
      return { phase: 'before-send', errorCode: 'BadPort' };
    }
  }
  // Resets, "other side closed", header/body timeouts and anything unknown: the POST may have landed.
  const code = chain.map((link) => link.code).find((c): c is string => typeof c === 'string');
  const name = chain.map((link) => link.name).find((n): n is string => typeof n === 'string');
  return { phase: 'after-send', errorCode: safe(code ?? name ?? 'Unknown') };
}
