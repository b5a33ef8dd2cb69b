import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateStore } from '../../src/ports/gate-store.js';

export interface GateStoreUnderTest {
  store: GateStore;
  close(): Promise<void>;
}

/** One conformance suite for every GateStore: the in-memory fake and Table Storage on Azurite. */
export function describeGateStoreContract(name: string, make: () => Promise<GateStoreUnderTest>): void {
  describe(`GateStore contract: ${name}`, () => {
    let sut: GateStoreUnderTest;
    let store: GateStore;
    beforeAll(async () => {
      sut = await make();
      store = sut.store;
    });
    afterAll(async () => {
      await sut.close();
    });

    it('creates rows that did not exist, reads them back by prefix, and reports the server time', async () => {
      const before = Date.now() - 5 * 60_000;
      const commit = await store.write([
        { id: 'a!slot!0', etag: null, values: { until: 1_764_000_000_123, holder: 'p1' } },
        { id: 'm!x@contoso.com!rcpt!3', etag: null, values: { bucket: 490_000, count: 12 } },
      ]);
      expect(commit.ok).toBe(true);
      const view = await store.read(['a!', 'm!x@contoso.com!']);
      expect(view.rows.get('a!slot!0')).toMatchObject({ until: 1_764_000_000_123, holder: 'p1' });
      expect(view.rows.get('m!x@contoso.com!rcpt!3')).toMatchObject({ bucket: 490_000, count: 12 });
      expect(view.serverTime).toBeGreaterThan(before);
    });

    it('reads only the prefixes asked for: another mailbox whose name extends this one is not included', async () => {
      await store.write([
        { id: 'm!x@contoso.com.evil!slot!0', etag: null, values: { until: 1 } },
        { id: 'm!y@contoso.com!slot!0', etag: null, values: { until: 1 } },
      ]);
      const view = await store.read(['m!x@contoso.com!']);
      expect([...view.rows.keys()].sort()).toEqual(['m!x@contoso.com!rcpt!3']);
    });

    it('writes only over the version it read: a stale etag or an existing row fails the whole batch', async () => {
      const view = await store.read(['a!']);
      const row = view.rows.get('a!slot!0');
      if (!row) throw new Error('missing row');
      const first = await store.write([
        { id: 'a!slot!0', etag: row.etag, values: { until: 5, holder: 'p2' } },
      ]);
      expect(first.ok).toBe(true);
      // Both a stale update and a create of a new row, in one batch: nothing may be written.
      const stale = await store.write([
        { id: 'a!slot!1', etag: null, values: { until: 7 } },
        { id: 'a!slot!0', etag: row.etag, values: { until: 6, holder: 'p3' } },
      ]);
      expect(stale.ok).toBe(false);
      const after = await store.read(['a!']);
      expect(after.rows.get('a!slot!0')).toMatchObject({ until: 5, holder: 'p2' });
      expect(after.rows.has('a!slot!1')).toBe(false);
      expect((await store.write([{ id: 'a!slot!0', etag: null, values: { until: 1 } }])).ok).toBe(false);
    });

    it('returns the new etags, so a holder can release exactly what it claimed', async () => {
      const view = await store.read(['a!']);
      const row = view.rows.get('a!slot!0');
      const claim = await store.write([
        { id: 'a!slot!0', etag: row?.etag ?? null, values: { until: 9, holder: 'p4' } },
      ]);
      if (!claim.ok) throw new Error('claim failed');
      const etag = claim.etags.get('a!slot!0');
      expect(etag).toBeDefined();
      const release = await store.write([
        { id: 'a!slot!0', etag: etag ?? null, values: { until: 0, holder: '' } },
      ]);
      expect(release.ok).toBe(true);
    });

    it('lets exactly one of many concurrent writers of the same row win', async () => {
      const view = await store.read(['a!']);
      const etag = view.rows.get('a!slot!0')?.etag ?? null;
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          store.write([{ id: 'a!slot!0', etag, values: { until: 100 + i } }]),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });
  });
}
