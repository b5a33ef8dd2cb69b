import {
  checkBusinessId,
  checkRecordKey,
  indexPartition,
  isIndexableId,
} from '../../src/adapters/tables/ledger-keys.js';
import {
  claimRow,
  indexRow,
  parseRow,
  rowsForUpdate,
  sortHistory,
  stateRow,
  type Row,
} from '../../src/adapters/tables/ledger-rows.js';
import type { EntityProps } from '../../src/adapters/tables/table-limits.js';
import type { Clock } from '../../src/ports/clock.js';
import {
  LedgerConflictError,
  LedgerUnavailableError,
  type AttemptRecord,
  type IndexEntry,
  type Ledger,
  type MailRecord,
} from '../../src/ports/ledger.js';

export interface MemoryLedgerSnapshot {
  records: MailRecord[];
  attempts: AttemptRecord[];
  index: IndexEntry[];
}

export interface MemoryLedger extends Ledger {
  /** Everything stored, as fresh copies. */
  snapshot(): MemoryLedgerSnapshot;
  /** While down, every call fails with LedgerUnavailableError, as in a storage outage. */
  setOutage(down: boolean): void;
}

interface Stored {
  props: EntityProps;
  etag: string;
}

/**
 * An in-memory Ledger with the Table adapter's semantics: the same row mapping, key rules and
 * limits (it stores the very rows the adapter would), an etag that changes on every write,
 * insert → conflict when the row exists, update → conflict on a stale etag or an existing attempt
 * row with nothing written, and serverTime from the injected clock.
 */
export function createMemoryLedger(options: { clock: Clock }): MemoryLedger {
  const { clock } = options;
  const partitions = new Map<string, Map<string, Stored>>();
  let version = 0;
  let down = false;

  const up = () => {
    if (down) throw new LedgerUnavailableError('ledger unavailable (simulated outage)');
  };
  const get = (partitionKey: string, rowKey: string) => partitions.get(partitionKey)?.get(rowKey);
  const put = (row: Row): string => {
    version += 1;
    const etag = `W/"memory-${version}"`;
    let partition = partitions.get(row.partitionKey);
    if (partition === undefined) {
      partition = new Map();
      partitions.set(row.partitionKey, partition);
    }
    partition.set(row.rowKey, { props: { ...row.props }, etag });
    return etag;
  };
  const parse = (partitionKey: string, rowKey: string, stored: Stored) =>
    parseRow(partitionKey, rowKey, stored.props, stored.etag);
  const recordAt = (partitionKey: string, rowKey: string): MailRecord | undefined => {
    const stored = get(partitionKey, rowKey);
    const parsed = stored && parse(partitionKey, rowKey, stored);
    return parsed?.type === 'state' ? parsed.record : undefined;
  };
  const result = <T>(value: T) => ({ value, serverTime: clock.now() });
  // Like a real call: answers asynchronously, and a throw becomes a rejection.
  const call = <T>(fn: () => T): Promise<T> =>
    new Promise((resolve) => {
      up();
      resolve(fn());
    });

  return {
    read: (businessId, key) =>
      call(() => {
        checkBusinessId(businessId);
        checkRecordKey(key);
        return result(recordAt(businessId, key));
      }),

    insert: (record) =>
      call(() => {
        const row = stateRow(record);
        if (get(row.partitionKey, row.rowKey) !== undefined) throw new LedgerConflictError('insert');
        put(row);
        return result(recordAt(row.partitionKey, row.rowKey) as MailRecord);
      }),

    update: (record, attempts = []) =>
      call(() => {
        const [state, ...added] = rowsForUpdate(record, attempts);
        if (state === undefined) throw new Error('unreachable: no state row');
        // All checks before any write: the batch lands whole or not at all.
        const stale = get(state.partitionKey, state.rowKey)?.etag !== record.etag;
        if (stale || added.some((row) => get(row.partitionKey, row.rowKey) !== undefined)) {
          throw new LedgerConflictError('update');
        }
        put(state);
        for (const row of added) put(row);
        return result(recordAt(state.partitionKey, state.rowKey) as MailRecord);
      }),

    history: (businessId) =>
      call(() => {
        checkBusinessId(businessId);
        const records: MailRecord[] = [];
        const attempts: AttemptRecord[] = [];
        for (const [rowKey, stored] of partitions.get(businessId) ?? []) {
          const parsed = parse(businessId, rowKey, stored);
          if (parsed?.type === 'state') records.push(parsed.record);
          else if (parsed?.type === 'attempt') attempts.push(parsed.attempt);
        }
        return sortHistory({ records, attempts });
      }),

    claimKey: (claim) =>
      call(() => {
        const row = claimRow(claim);
        const claimed = get(row.partitionKey, row.rowKey);
        if (claimed === undefined) put(row);
        const parsed = parse(row.partitionKey, row.rowKey, get(row.partitionKey, row.rowKey) as Stored);
        if (parsed?.type !== 'index') throw new Error('unreachable: a claim row reads back as an index row');
        return result({ key: parsed.entry.key, businessId: parsed.entry.businessId });
      }),

    index: (entries) =>
      call(() => {
        const rows = entries.map(indexRow);
        for (const row of rows) put(row);
      }),

    lookup: (kind, id) =>
      call(() => {
        if (!isIndexableId(id)) return undefined;
        const partition = indexPartition(kind);
        const stored = get(partition, id);
        const parsed = stored && parse(partition, id, stored);
        return parsed?.type === 'index' ? parsed.entry : undefined;
      }),

    snapshot() {
      const snapshot: MemoryLedgerSnapshot = { records: [], attempts: [], index: [] };
      for (const [partitionKey, rows] of partitions) {
        for (const [rowKey, stored] of rows) {
          const parsed = parse(partitionKey, rowKey, stored);
          if (parsed?.type === 'state') snapshot.records.push(parsed.record);
          else if (parsed?.type === 'attempt') snapshot.attempts.push(parsed.attempt);
          else if (parsed?.type === 'index') snapshot.index.push(parsed.entry);
        }
      }
      return snapshot;
    },

    setOutage(value) {
      down = value;
    },
  };
}
