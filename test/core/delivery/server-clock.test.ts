import { describe, expect, it } from 'vitest';
import { createServerClock } from '../../../src/core/delivery/server-clock.js';
import { createManualClock } from '../../fakes/clock.js';

describe('the server clock (the storage server’s time between ledger calls)', () => {
  it('keeps moving with local monotonic time after the last Date, whatever the local wall clock says', () => {
    const local = createManualClock(Date.parse('2026-12-04T10:00:00Z'));
    const clock = createServerClock(local);
    const sent = local.monotonic();
    local.advance(2_000); // the answer took 2 s to come back
    clock.observe(Date.parse('2026-12-04T09:00:00Z'), sent); // the server is an hour behind our wall clock
    local.advance(70_000); // a slow attachment read
    expect(new Date(clock.now()).toISOString()).toBe('2026-12-04T09:01:10.000Z');
  });

  it('has a latest reading for our own leases: from when the request left, plus the truncated second', () => {
    const local = createManualClock();
    const clock = createServerClock(local);
    const sent = local.monotonic();
    local.advance(2_000);
    clock.observe(1_000_000, sent);
    local.advance(5_000);
    expect(clock.now()).toBe(1_005_000);
    expect(clock.latest()).toBe(1_008_000);
  });
});
