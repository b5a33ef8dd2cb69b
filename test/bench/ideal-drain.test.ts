import { describe, expect, it } from 'vitest';
import { idealDrainMs } from '../../src/bench/ideal-drain.js';

const limits = {
  appConcurrency: 4,
  mailboxConcurrency: 4,
  latencyMs: 100,
  ratePerWindow: 0,
  rateWindowMs: 1000,
};

describe('the ideal client (the denominator of "share of the ideal")', () => {
  it('is bound by the app-wide concurrency when the rate does not bind', () => {
    // 8 mails, 4 at a time, 100 ms each: two rounds.
    expect(idealDrainMs({ ...limits, perMailbox: [4, 4] })).toBe(200);
  });

  it('waits for the sliding rate window of a mailbox', () => {
    // 3 mails from one mailbox at 2 per second: the third starts when the first leaves the window.
    expect(idealDrainMs({ ...limits, perMailbox: [3], ratePerWindow: 2 })).toBe(1100);
  });

  it('never runs more than the per-mailbox limit for one mailbox', () => {
    expect(idealDrainMs({ ...limits, perMailbox: [4], mailboxConcurrency: 2 })).toBe(200);
  });
});
