import { describe, expect, it } from 'vitest';
import { LedgerUnavailableError } from '../../src/ports/ledger.js';
import { describeLedgerContract, minimalRecord } from '../contracts/ledger.js';
import { createManualClock } from './clock.js';
import { createMemoryLedger } from './ledger.js';

describeLedgerContract('the in-memory ledger', () =>
  Promise.resolve({
    ledger: createMemoryLedger({ clock: createManualClock() }),
    close: () => Promise.resolve(),
  }),
);

describe('the in-memory ledger as a test double', () => {
  it('takes its server time from the injected clock', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 25, 10, 30));
    const ledger = createMemoryLedger({ clock });
    expect((await ledger.insert(minimalRecord())).serverTime).toBe(Date.UTC(2026, 10, 25, 10, 30));
    clock.advance(90_000);
    expect((await ledger.read('CAND-1', 'k-1')).serverTime).toBe(Date.UTC(2026, 10, 25, 10, 31, 30));
  });

  it('fails every call during a simulated outage and recovers after it', async () => {
    const ledger = createMemoryLedger({ clock: createManualClock() });
    const inserted = (await ledger.insert(minimalRecord())).value;
    ledger.setOutage(true);
    await expect(ledger.read('CAND-1', 'k-1')).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(ledger.update({ ...inserted, deliveries: 2 })).rejects.toBeInstanceOf(
      LedgerUnavailableError,
    );
    await expect(ledger.history('CAND-1')).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(ledger.index([])).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(ledger.lookup('key', 'k-1')).rejects.toBeInstanceOf(LedgerUnavailableError);
    ledger.setOutage(false);
    expect((await ledger.read('CAND-1', 'k-1')).value).toEqual(inserted);
  });

  it('shows everything it holds in a snapshot', async () => {
    const ledger = createMemoryLedger({ clock: createManualClock() });
    const inserted = (await ledger.insert(minimalRecord())).value;
    await ledger.claimKey({ key: 'k-1', businessId: 'CAND-1' });
    expect(ledger.snapshot()).toEqual({
      records: [inserted],
      attempts: [],
      index: [{ kind: 'key', id: 'k-1', businessId: 'CAND-1', key: 'k-1' }],
    });
  });
});
