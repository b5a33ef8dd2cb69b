import { describe, expect, it } from 'vitest';
import { ledgerOutcome } from '../../src/bench/run-outcome.js';
import type { MailState } from '../../src/ports/ledger.js';

describe('the ledger check of a run', () => {
  it('counts a key as lost only when it was never sent and has no terminal outcome', () => {
    const states = new Map<string, MailState | undefined>([
      ['sent', 'sent'],
      ['held-sent', 'unknown'],
      ['held-not-sent', 'unknown'],
      ['poisoned', 'failed'],
      ['stuck', 'deferred'],
      ['missing', undefined],
      ['unrecorded', 'sending'],
    ]);
    const sends = { sent: 1, 'held-sent': 1, unrecorded: 1 };
    expect(ledgerOutcome([...states.keys()], sends, states)).toEqual({
      sent: 1,
      failed: 1,
      expired: 0,
      unknown: 2,
      unknownButSent: 1,
      unrecordedSends: 1,
      lost: 2,
    });
  });
});
