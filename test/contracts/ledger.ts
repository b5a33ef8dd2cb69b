import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LedgerConflictError,
  type AttemptRecord,
  type Ledger,
  type MailRecord,
  type NewMailRecord,
} from '../../src/ports/ledger.js';

export interface LedgerUnderTest {
  ledger: Ledger;
  close(): Promise<void>;
}

/** A state row with every field set, so a round trip proves each one survives. */
export function fullRecord(overrides: Partial<NewMailRecord> = {}): NewMailRecord {
  return {
    businessId: 'CAND-12345',
    key: 'offer-CAND-12345-2026-11',
    keySource: 'given',
    state: 'sending',
    payloadHash: 'a'.repeat(64),
    intent: 'offer',
    template: 'offer-letter',
    templateVersion: '2',
    sender: 'offers@contoso.com',
    recipientCount: 3,
    recipientDomains: ['contoso.com', 'example.org', 'münchen.example'],
    attachmentCount: 2,
    deliveries: 2,
    attempts: 1,
    firstSeen: '2026-11-25T10:00:00.000Z',
    lastSeen: '2026-11-25T10:05:00.000Z',
    sentAt: '2026-11-25T10:05:01.000Z',
    lease: { attemptId: '0b7c7f8e-54c4-4c1f-9d59-2f0f8f5d3a11', until: '2026-11-25T10:06:00.000Z' },
    reason: {
      code: 'Throttled',
      detail: 'Graph answered 429; paused for 30 s',
      status: 429,
      graphCode: 'ApplicationThrottled',
      fieldPaths: ['to[0].address', 'data.startDate'],
      attemptIds: ['0b7c7f8e-54c4-4c1f-9d59-2f0f8f5d3a11'],
    },
    poisonedAt: '2026-11-25T10:07:00.000Z',
    deferrals: 4,
    nextAttemptAt: '2026-11-25T10:10:00.000Z',
    deferredFor: 'RecipientBudget',
    correlationId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    notBefore: '2026-11-25T09:00:00.000Z',
    expiresAt: '2026-12-02T00:00:00.000Z',
    lastClientRequestId: '7d3f0c0e-8b0a-4d7e-9f55-5b8a1f2e9c01',
    lastRequestId: 'c0ffee00-1111-2222-3333-444455556666',
    unknownSince: '2026-11-25T10:06:30.000Z',
    verifications: 2,
    heldAt: '2026-11-25T12:06:30.000Z',
    lastError: 'TypeError',
    resolution: {
      decision: 'sent',
      reason: 'found in Sent Items',
      by: 'ops@contoso.com',
      at: '2026-11-26T08:00:00.000Z',
    },
    ...overrides,
  };
}

/** Only the fields every state row has. */
export function minimalRecord(overrides: Partial<NewMailRecord> = {}): NewMailRecord {
  return {
    businessId: 'CAND-1',
    key: 'k-1',
    keySource: 'derived',
    state: 'received',
    payloadHash: 'b'.repeat(64),
    recipientCount: 1,
    recipientDomains: ['example.org'],
    attachmentCount: 0,
    deliveries: 1,
    attempts: 0,
    deferrals: 0,
    verifications: 0,
    firstSeen: '2026-11-25T10:00:00.000Z',
    lastSeen: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

export function attempt(record: Pick<MailRecord, 'businessId' | 'key'>, n: number): AttemptRecord {
  return {
    businessId: record.businessId,
    key: record.key,
    n,
    attemptId: `attempt-${n}`,
    clientRequestId: `client-request-${n}`,
    requestId: `request-${n}`,
    date: 'Wed, 25 Nov 2026 10:05:01 GMT',
    diagnostic: '{"ServerInfo":{"DataCenter":"West Europe","Slice":"E","Ring":"5"}}',
    status: n === 1 ? 503 : 202,
    graphCode: n === 1 ? 'ServiceUnavailable' : undefined,
    outcome: n === 1 ? 'transient' : 'sent',
    code: n === 1 ? 'Transient' : undefined,
    retryAfter: n === 1 ? '2' : undefined,
    durationMs: 180 + n,
    startedAt: `2026-11-25T10:0${n % 10}:00.000Z`,
  };
}

const withoutEtag = ({ etag: _etag, ...rest }: MailRecord): NewMailRecord => rest;

/** The Ledger port's semantics, run against every implementation (the in-memory fake, Table Storage). */
export function describeLedgerContract(name: string, makeLedger: () => Promise<LedgerUnderTest>): void {
  describe(`${name} keeps the Ledger contract`, () => {
    let subject: LedgerUnderTest;
    let ledger: Ledger;
    beforeEach(async () => {
      subject = await makeLedger();
      ledger = subject.ledger;
    });
    afterEach(async () => {
      await subject.close();
    });

    it('reads back every field of an inserted row, with an etag', async () => {
      const record = fullRecord();
      const inserted = await ledger.insert(record);
      expect(inserted.value).toEqual({ ...record, etag: inserted.value.etag });
      expect(inserted.value.etag).not.toBe('');
      const read = await ledger.read(record.businessId, record.key);
      expect(read.value).toEqual(inserted.value);
    });

    it('reads back a row with only the required fields, inventing none', async () => {
      const record = minimalRecord();
      await ledger.insert(record);
      const read = await ledger.read(record.businessId, record.key);
      expect(read.value && withoutEtag(read.value)).toStrictEqual(record);
    });

    it('answers undefined for a key it never saw', async () => {
      const read = await ledger.read('CAND-404', 'nobody');
      expect(read.value).toBeUndefined();
    });

    it('refuses a second insert of the same key and keeps the first row', async () => {
      const first = await ledger.insert(minimalRecord({ state: 'received' }));
      await expect(ledger.insert(minimalRecord({ state: 'sending' }))).rejects.toBeInstanceOf(
        LedgerConflictError,
      );
      const read = await ledger.read('CAND-1', 'k-1');
      expect(read.value).toEqual(first.value);
    });

    it('replaces the whole row on update and changes its etag', async () => {
      const inserted = await ledger.insert(fullRecord());
      const { lease: _lease, reason: _reason, ...rest } = inserted.value;
      const updated = await ledger.update({ ...rest, state: 'sent', attempts: 2 });
      expect(updated.value.etag).not.toBe(inserted.value.etag);
      const read = await ledger.read(inserted.value.businessId, inserted.value.key);
      expect(read.value).toEqual(updated.value);
      expect(read.value?.state).toBe('sent');
      // Replace, not merge: a field left out is gone (a released lease must not linger).
      expect(read.value?.lease).toBeUndefined();
      expect(read.value?.reason).toBeUndefined();
    });

    it('refuses an update with a stale etag and writes nothing, attempt rows included', async () => {
      const stale = (await ledger.insert(minimalRecord())).value;
      const current = (await ledger.update({ ...stale, state: 'deferred', deferrals: 1 })).value;
      const write = ledger.update({ ...stale, state: 'sent', attempts: 1 }, [attempt(stale, 1)]);
      await expect(write).rejects.toBeInstanceOf(LedgerConflictError);
      const history = await ledger.history(stale.businessId);
      expect(history.records).toEqual([current]);
      expect(history.attempts).toEqual([]);
    });

    it('refuses an update whose attempt row already exists and writes nothing', async () => {
      const inserted = (await ledger.insert(minimalRecord())).value;
      const first = (await ledger.update({ ...inserted, attempts: 1 }, [attempt(inserted, 1)])).value;
      const again = ledger.update({ ...first, state: 'sent', attempts: 2 }, [attempt(first, 1)]);
      await expect(again).rejects.toBeInstanceOf(LedgerConflictError);
      const read = await ledger.read(first.businessId, first.key);
      expect(read.value).toEqual(first);
    });

    it('lets exactly one of two writers holding the same etag win', async () => {
      const base = (await ledger.insert(minimalRecord())).value;
      const writers = await Promise.allSettled([
        ledger.update({
          ...base,
          state: 'sending',
          lease: { attemptId: 'w1', until: '2026-11-25T10:01:00Z' },
        }),
        ledger.update({
          ...base,
          state: 'sending',
          lease: { attemptId: 'w2', until: '2026-11-25T10:01:00Z' },
        }),
      ]);
      const won = writers.filter((w) => w.status === 'fulfilled');
      const lost = writers.filter((w) => w.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((w) => w.reason as unknown)).toEqual([expect.any(LedgerConflictError)]);
      const read = await ledger.read(base.businessId, base.key);
      expect(read.value).toEqual(won[0]?.value.value);
    });

    it('returns the attempts of several updates in order, by key then number', async () => {
      const a = (await ledger.insert(minimalRecord({ key: 'k-a' }))).value;
      const b = (await ledger.insert(minimalRecord({ key: 'k-b' }))).value;
      const [a01, a02, a10] = [attempt(a, 1), attempt(a, 2), attempt(a, 10)];
      // Written out of order, and n = 10 after n = 2: the order comes from the ledger, by number.
      const a1 = (await ledger.update({ ...a, attempts: 2 }, [a02, a01])).value;
      const a2 = (await ledger.update({ ...a1, attempts: 10 }, [a10])).value;
      const b1 = (await ledger.update({ ...b, attempts: 1 }, [attempt(b, 1)])).value;
      const history = await ledger.history('CAND-1');
      expect(history.records).toEqual([a2, b1]);
      expect(history.attempts).toEqual([a01, a02, a10, attempt(b, 1)]);
    });

    it('keeps the history of a businessId with a quote, a tilde and unicode apart from its neighbours', async () => {
      const odd = "O'Brien~Zoë-日本-😀";
      const mine = (await ledger.insert(minimalRecord({ businessId: odd, key: 'k-odd' }))).value;
      const updated = (await ledger.update({ ...mine, attempts: 1 }, [attempt(mine, 1)])).value;
      await ledger.insert(minimalRecord({ businessId: "O'Brien", key: 'k-odd' }));
      await ledger.insert(minimalRecord({ businessId: `${odd}~`, key: 'k-odd' }));
      await ledger.claimKey({ key: 'k-odd', businessId: odd });
      const history = await ledger.history(odd);
      expect(history).toEqual({ records: [updated], attempts: [attempt(mine, 1)] });
      expect((await ledger.read(odd, 'k-odd')).value).toEqual(updated);
    });

    it('answers an empty history for a businessId it never saw', async () => {
      expect(await ledger.history('CAND-404')).toEqual({ records: [], attempts: [] });
    });

    it('finds index rows by kind and id, and a re-index overwrites', async () => {
      await ledger.index([
        { kind: 'client-request-id', id: 'crid-1', businessId: 'CAND-1', key: 'k-1' },
        { kind: 'request-id', id: 'rid-1', businessId: "O'Brien~1", key: 'k-2' },
      ]);
      expect(await ledger.lookup('client-request-id', 'crid-1')).toEqual({
        kind: 'client-request-id',
        id: 'crid-1',
        businessId: 'CAND-1',
        key: 'k-1',
      });
      expect((await ledger.lookup('request-id', 'rid-1'))?.businessId).toBe("O'Brien~1");
      // The same id under another kind is another entry.
      expect(await ledger.lookup('request-id', 'crid-1')).toBeUndefined();
      await ledger.index([{ kind: 'request-id', id: 'rid-1', businessId: 'CAND-2', key: 'k-2' }]);
      expect((await ledger.lookup('request-id', 'rid-1'))?.businessId).toBe('CAND-2');
      expect(await ledger.lookup('key', 'never-indexed')).toBeUndefined();
      expect(await ledger.lookup('key', 'could/never#be?a\\key')).toBeUndefined();
    });

    it('claims a key once: the first businessId keeps it, whatever comes later', async () => {
      const first = await ledger.claimKey({ key: 'k-claim', businessId: 'CAND-1' });
      expect(first.value).toEqual({ key: 'k-claim', businessId: 'CAND-1' });
      expect(Number.isFinite(first.serverTime)).toBe(true);
      // Same claim again (a redelivery, or the SDK retrying a lost answer): the same answer.
      expect((await ledger.claimKey({ key: 'k-claim', businessId: 'CAND-1' })).value.businessId).toBe(
        'CAND-1',
      );
      // Another businessId — even one differing only in case — does not take it over.
      for (const other of ['cand-1', 'CAND-2']) {
        expect((await ledger.claimKey({ key: 'k-claim', businessId: other })).value.businessId).toBe(
          'CAND-1',
        );
      }
      expect(await ledger.lookup('key', 'k-claim')).toEqual({
        kind: 'key',
        id: 'k-claim',
        businessId: 'CAND-1',
        key: 'k-claim',
      });
      // Two claims racing: exactly one businessId wins, and both are told the same winner.
      const raced = await Promise.all([
        ledger.claimKey({ key: 'k-race', businessId: 'CAND-A' }),
        ledger.claimKey({ key: 'k-race', businessId: 'CAND-B' }),
      ]);
      expect(raced[0].value.businessId).toBe(raced[1].value.businessId);
    });

    it('refuses to write a key row through index: key rows are claims', async () => {
      await ledger.claimKey({ key: 'k-owned', businessId: 'CAND-1' });
      await expect(
        ledger.index([{ kind: 'key', id: 'k-owned', businessId: 'CAND-2', key: 'k-owned' }]),
      ).rejects.toThrow(/claimKey/);
      expect((await ledger.lookup('key', 'k-owned'))?.businessId).toBe('CAND-1');
    });

    it('refuses keys Table Storage forbids or the row layout reserves, before writing', async () => {
      for (const businessId of ['CAND/1', 'CAND#1', 'CAND?1', 'CAND\\1', 'CAND\u00071', 'CAND@1', '']) {
        await expect(ledger.insert(minimalRecord({ businessId }))).rejects.toThrow(/businessId/);
      }
      await expect(ledger.insert(minimalRecord({ key: 'k~a0001' }))).rejects.toThrow(/key/);
      expect(await ledger.history('CAND-1')).toEqual({ records: [], attempts: [] });
    });

    it('reports a plausible server time with every read and write', async () => {
      const before = Date.UTC(2020, 0, 1);
      const inserted = await ledger.insert(minimalRecord());
      const updated = await ledger.update({ ...inserted.value, deliveries: 2 });
      const read = await ledger.read('CAND-1', 'k-1');
      const missing = await ledger.read('CAND-1', 'k-none');
      const times = [inserted, updated, read, missing].map((r) => r.serverTime);
      for (const t of times) expect(Number.isFinite(t) && t > before).toBe(true);
      expect([...times].sort((x, y) => x - y)).toEqual(times);
    });
  });
}
