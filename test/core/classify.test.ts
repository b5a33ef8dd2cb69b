import { describe, expect, it } from 'vitest';
import { classifyGraphAnswer, retryAfterMs } from '../../src/core/classify.js';
import type { GraphAnswer } from '../../src/ports/graph.js';

const response = (
  status: number,
  extra: Partial<Extract<GraphAnswer, { kind: 'response' }>> = {},
): GraphAnswer => ({
  kind: 'response',
  status,
  clientRequestId: 'c',
  durationMs: 1,
  ...extra,
});
const network = (phase: 'before-send' | 'after-send', errorCode = 'ECONNRESET'): GraphAnswer => ({
  kind: 'network',
  phase,
  errorCode,
  clientRequestId: 'c',
  durationMs: 1,
});

// One test per row of docs/architecture.md §3.
describe('classifying Graph answers (docs/architecture.md §3)', () => {
  it('202 is sent — even when it carries Retry-After, it is never retried', () => {
    expect(classifyGraphAnswer(response(202, { retryAfter: '5' }))).toEqual({ outcome: 'sent' });
  });

  it.each(['ErrorInvalidRecipients', 'RequestBodyRead', 'InvalidInternetMessageHeader', undefined])(
    '400 %s is permanent',
    (code) => {
      expect(classifyGraphAnswer(response(400, code ? { code } : {}))).toEqual({
        outcome: 'permanent',
        code: 'GraphBadRequest',
      });
    },
  );

  it('401 replays once only when the credential now returns a different token', () => {
    expect(
      classifyGraphAnswer(response(401, { code: 'InvalidAuthenticationToken', tokenChanged: true })),
    ).toEqual({
      outcome: 'auth',
      code: 'AcquireTokenFailed',
      replay: true,
    });
    expect(classifyGraphAnswer(response(401, { tokenChanged: false }))).toMatchObject({ replay: false });
    expect(classifyGraphAnswer(response(401))).toMatchObject({ replay: false });
  });

  it.each(['ErrorAccessDenied', 'ErrorSendAsDenied'])('403 %s is permanent PolicyDenied', (code) => {
    expect(classifyGraphAnswer(response(403, { code }))).toEqual({
      outcome: 'permanent',
      code: 'PolicyDenied',
    });
  });

  it.each(['ErrorInvalidUser', 'ResourceNotFound', 'MailboxNotEnabledForRESTAPI'])(
    '404 %s is permanent SenderNotFound',
    (code) => {
      expect(classifyGraphAnswer(response(404, { code }))).toEqual({
        outcome: 'permanent',
        code: 'SenderNotFound',
      });
    },
  );

  it('413 is permanent TooLarge', () => {
    expect(classifyGraphAnswer(response(413))).toEqual({ outcome: 'permanent', code: 'TooLarge' });
  });

  it('429 MailboxConcurrency pauses the mailbox; any other 429 pauses the app', () => {
    expect(
      classifyGraphAnswer(
        response(429, {
          code: 'ApplicationThrottled',
          throttleReason: 'MailboxConcurrency',
          retryAfter: '7',
        }),
      ),
    ).toEqual({ outcome: 'throttled', code: 'Throttled', scope: 'mailbox', retryAfterMs: 7000 });
    expect(
      classifyGraphAnswer(
        response(429, { code: 'ApplicationThrottled', throttleReason: 'IncomingBytes', retryAfter: '7' }),
      ),
    ).toMatchObject({ scope: 'app' });
    expect(classifyGraphAnswer(response(429, { code: 'TooManyRequests' }))).toMatchObject({ scope: 'app' });
  });

  it('503 and failures before the body was sent are transient', () => {
    expect(classifyGraphAnswer(response(503, { code: 'ServiceUnavailable' }))).toEqual({
      outcome: 'transient',
      code: 'Transient',
    });
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'CERT_HAS_EXPIRED']) {
      expect(classifyGraphAnswer(network('before-send', code)).outcome).toBe('transient');
    }
  });

  it('a token that cannot be acquired is AcquireTokenFailed (the auth breaker), not a transient retry', () => {
    expect(classifyGraphAnswer(network('before-send', 'TokenAcquisition'))).toEqual({
      outcome: 'auth',
      code: 'AcquireTokenFailed',
      replay: false,
    });
  });

  it.each([500, 502, 504])('%i is unknown: the mail may have gone out', (status) => {
    expect(classifyGraphAnswer(response(status))).toEqual({ outcome: 'unknown', code: 'UnknownOutcome' });
  });

  it('a timeout or reset after the body was sent is unknown', () => {
    expect(classifyGraphAnswer(network('after-send', 'AbortError')).outcome).toBe('unknown');
    expect(classifyGraphAnswer(network('after-send', 'ECONNRESET')).outcome).toBe('unknown');
  });

  it('other answers err on the safe side: other 4xx permanent, other 5xx unknown', () => {
    expect(classifyGraphAnswer(response(409))).toEqual({ outcome: 'permanent', code: 'GraphRejected' });
    expect(classifyGraphAnswer(response(501)).outcome).toBe('unknown');
  });
});

describe('Retry-After', () => {
  it('reads seconds and clamps to 1 s – 10 min', () => {
    expect(retryAfterMs('30', undefined)).toBe(30_000);
    expect(retryAfterMs('0', undefined)).toBe(1_000);
    expect(retryAfterMs('86400', undefined)).toBe(600_000);
  });

  it('reads an HTTP-date against the response Date (server time), not the local clock', () => {
    const date = 'Wed, 25 Nov 2026 10:00:00 GMT';
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:45 GMT', date)).toBe(45_000);
  });

  it('falls back to the default when absent or unreadable', () => {
    expect(retryAfterMs(undefined, undefined)).toBe(30_000);
    expect(retryAfterMs('soon', 'Wed, 25 Nov 2026 10:00:00 GMT')).toBe(30_000);
  });
});
