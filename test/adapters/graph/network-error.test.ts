import { describe, expect, it } from 'vitest';
import { classifyNetworkError } from '../../../src/adapters/graph/network-error.js';

/** The shape Node's fetch (undici) throws: `TypeError('fetch failed')` with the socket error as cause. */
function fetchFailed(code: string | undefined, message: string, name = 'Error'): Error {
  const cause = Object.assign(new Error(message), code === undefined ? { name } : { code, name });
  return new TypeError('fetch failed', { cause });
}

describe('classifying a failed Graph request', () => {
  it.each([
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND graph.microsoft.com'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN graph.microsoft.com'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:443'],
    ['ENETUNREACH', 'connect ENETUNREACH'],
    ['UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'],
  ])('%s never reached Graph: before-send', (code, message) => {
    expect(classifyNetworkError(fetchFailed(code, message))).toEqual({
      phase: 'before-send',
      errorCode: code,
    });
  });

  it('a hang-up during the TLS handshake is before-send', () => {
    const error = fetchFailed(
      'ECONNRESET',
      'Client network socket disconnected before secure TLS connection was established',
    );
    expect(classifyNetworkError(error)).toEqual({ phase: 'before-send', errorCode: 'ECONNRESET' });
  });

  it('a port fetch refuses to use is before-send', () => {
    expect(classifyNetworkError(fetchFailed(undefined, 'bad port'))).toEqual({
      phase: 'before-send',
      errorCode: 'BadPort',
    });
  });

  it.each([
    ['ECONNRESET', 'read ECONNRESET'],
    ['UND_ERR_SOCKET', 'other side closed'],
    ['EPIPE', 'write EPIPE'],
    ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'],
    ['UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'],
    ['ETIMEDOUT', 'read ETIMEDOUT'],
  ])('%s may have reached Graph: after-send', (code, message) => {
    expect(classifyNetworkError(fetchFailed(code, message))).toEqual({
      phase: 'after-send',
      errorCode: code,
    });
  });

  it.each(['AbortError', 'TimeoutError'])('an aborted request (%s) is after-send', (name) => {
    expect(classifyNetworkError(new DOMException('aborted', name))).toEqual({
      phase: 'after-send',
      errorCode: name,
    });
  });

  it('an unrecognised failure is after-send, never a guess that nothing was sent', () => {
    expect(classifyNetworkError(new Error('something odd'))).toEqual({
      phase: 'after-send',
      errorCode: 'Error',
    });
    expect(classifyNetworkError('a string')).toEqual({ phase: 'after-send', errorCode: 'Unknown' });
  });

  it('keeps only code-shaped identifiers, so no value can ride along in the code', () => {
    const odd = fetchFailed('EWEIRD ada@example.org', 'weird');
    expect(classifyNetworkError(odd)).toEqual({ phase: 'after-send', errorCode: 'Unknown' });
  });
});
