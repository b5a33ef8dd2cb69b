import { describe, expect, it } from 'vitest';
import { FaultRuleError, parseFaultRule } from '../../src/sim/fault-rule.js';

describe('parseFaultRule', () => {
  it('keeps a valid rule as written, with the sender lower-cased', () => {
    expect(
      parseFaultRule({
        match: { operation: 'sendMail', sender: 'Offers@Contoso.com', key: 'offer-CAND-1' },
        skip: 2,
        times: 1,
        action: { kind: 'status', status: 504, code: 'UnknownError', afterAccept: true },
      }),
    ).toEqual({
      match: { operation: 'sendMail', sender: 'offers@contoso.com', key: 'offer-CAND-1' },
      skip: 2,
      times: 1,
      action: { kind: 'status', status: 504, code: 'UnknownError', afterAccept: true },
    });
  });

  it('accepts Retry-After as seconds, a number of seconds or an HTTP-date', () => {
    const rule = (retryAfter: unknown) =>
      parseFaultRule({ action: { kind: 'status', status: 429, code: 'TooManyRequests', retryAfter } });
    expect(rule(5).action).toMatchObject({ retryAfter: '5' });
    expect(rule('Wed, 25 Nov 2026 10:00:05 GMT').action).toMatchObject({
      retryAfter: 'Wed, 25 Nov 2026 10:00:05 GMT',
    });
    expect(() => rule('soon')).toThrow(/action\.retryAfter/);
  });

  it.each([
    ['an unknown action', { action: { kind: 'explode' } }, 'action.kind'],
    ['a misspelt field', { action: { kind: 'reset', afterAcept: true } }, 'afterAcept'],
    [
      'a success status before acceptance',
      { action: { kind: 'status', status: 202, code: '' } },
      'action.status',
    ],
    ['an error status without a code', { action: { kind: 'status', status: 500, code: '' } }, 'action.code'],
    ['a probability above 1', { probability: 1.5, action: { kind: 'reset' } }, 'probability'],
    ['zero times', { times: 0, action: { kind: 'reset' } }, 'times'],
    ['a delay over ten minutes', { action: { kind: 'delay', ms: 600_001 } }, 'action.ms'],
    ['an unknown operation', { match: { operation: 'send' }, action: { kind: 'reset' } }, 'match.operation'],
  ])('refuses %s, naming the field', (_label, rule, field) => {
    expect(() => parseFaultRule(rule)).toThrow(FaultRuleError);
    expect(() => parseFaultRule(rule)).toThrow(field);
  });

  it('never echoes a value in its message', () => {
    const secret = 'ada.lovelace@example.org';
    try {
      parseFaultRule({
        match: { key: 42, sender: 7 },
        action: { kind: 'status', status: 504, code: secret, retryAfter: secret },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FaultRuleError);
      expect((e as Error).message).not.toContain(secret);
      expect((e as Error).message).toContain('match.key');
    }
  });
});
