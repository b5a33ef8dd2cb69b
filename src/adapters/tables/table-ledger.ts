import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import {
  LedgerConflictError,
  LedgerUnavailableError,
  type AttemptRecord,
  type IndexEntry,
  type IndexKind,
  type KeyClaim,
  type Ledger,
  type LedgerHistory,
  type LedgerResult,
  type MailRecord,
  type NewMailRecord,
} from '../../ports/ledger.js';
import { checkBusinessId, checkRecordKey, indexPartition, isIndexableId } from './ledger-keys.js';
import {
  claimRow,
  indexRow,
  parseRow,
  rowsForUpdate,
  sameProps,
  sortHistory,
  stateRow,
  type Row,
} from './ledger-rows.js';
import { attachResponseDates, type SeenDate } from './response-date.js';
import { isRowMissing, toLedgerError, type LedgerOperation } from './table-errors.js';

export interface TableLedgerOptions {
  client: TableClient;
  /**
   * Upper bound of one ledger operation, SDK retries included (default 10 s), so an outage or a
   * hung connection surfaces as LedgerUnavailableError within seconds. A write that times out may
   * still have been applied: callers re-read before deciding again.
   */
  operationTimeoutMs?: number;
  /** Rows per page when reading a partition (default 1000, the service's maximum). */
  pageSize?: number;
}

export interface TableLedger extends Ledger {
  /** Creates the table if it does not exist. */
  ensureTable(): Promise<void>;
}

/** Properties Table adds to every entity it returns; not ours to compare. */
const SYSTEM_PROPS: ReadonlySet<string> = new Set([
  'partitionKey',
  'rowKey',
  'etag',
  'timestamp',
  'odata.metadata',
]);

type Stored = TableEntity & { etag: string };

const isInt32 = (n: number) => Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647;

/** An SDK entity. Numbers outside Int32 are typed Double: Table would infer Int32 from a bare integer. */
function toEntity(row: Row): TableEntity {
  const entity: TableEntity = { partitionKey: row.partitionKey, rowKey: row.rowKey };
  for (const [name, value] of Object.entries(row.props)) {
    entity[name] = typeof value === 'number' && !isInt32(value) ? { value, type: 'Double' } : value;
  }
  return entity;
}

function recordOf(row: Row, etag: string): MailRecord {
  const parsed = parseRow(row.partitionKey, row.rowKey, row.props, etag);
  if (parsed?.type !== 'state') throw new Error('ledger state row did not read back as a state row');
  return parsed.record;
}

function serverTimeOf(seen: SeenDate): number {
  const time = seen.date === undefined ? Number.NaN : Date.parse(seen.date);
  if (Number.isNaN(time)) throw new LedgerUnavailableError('storage response carried no Date header');
  return time;
}

/**
 * The ledger of docs/architecture.md §6 on Azure Table Storage (row layout: ledger-keys.ts). Limits that
 * Azurite does not enforce are checked here and refused with LedgerLimitError before any request.
 */
export function createTableLedger(options: TableLedgerOptions): TableLedger {
  const { client } = options;
  const timeoutMs = options.operationTimeoutMs ?? 10_000;
  const pageSize = options.pageSize ?? 1000;
  const dates = attachResponseDates(client);

  async function call<T>(
    operation: LedgerOperation,
    fn: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; seen: SeenDate }> {
    const seen: SeenDate = {};
    try {
      const value = await dates.within(seen, () => fn(AbortSignal.timeout(timeoutMs)));
      return { value, seen };
    } catch (e) {
      throw toLedgerError(e, operation, timeoutMs);
    }
  }

  async function get(partitionKey: string, rowKey: string, abortSignal: AbortSignal) {
    try {
      return (await client.getEntity(partitionKey, rowKey, { abortSignal })) as Stored;
    } catch (e) {
      if (isRowMissing(e)) return undefined;
      throw e;
    }
  }

  /**
   * After a conflict: did our own write land? The SDK retries a request whose answer was lost, and
   * the retry then meets the row our first try wrote (409 on insert, 412 on update). Reporting that
   * as a conflict would make the caller believe another worker holds the message. Returns the
   * state row's etag when every row holds exactly what we wrote; undefined otherwise.
   */
  async function ownWrite(rows: Row[], operation: LedgerOperation) {
    try {
      return await call(operation, async (abortSignal) => {
        let etag: string | undefined;
        for (const row of rows) {
          const stored = await get(row.partitionKey, row.rowKey, abortSignal);
          if (stored === undefined || !sameProps(row.props, stored, SYSTEM_PROPS)) return undefined;
          etag ??= stored.etag;
        }
        return etag;
      });
    } catch {
      return undefined; // The conflict is the answer we have; the caller re-reads anyway.
    }
  }

  async function write(
    operation: 'insert' | 'update',
    rows: Row[],
    send: (abortSignal: AbortSignal) => Promise<string | undefined>,
  ): Promise<LedgerResult<MailRecord>> {
    const [state] = rows;
    if (state === undefined) throw new Error('ledger write without a state row');
    try {
      const { value: etag, seen } = await call(operation, send);
      if (etag !== undefined) return { value: recordOf(state, etag), serverTime: serverTimeOf(seen) };
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      const own = await ownWrite(rows, operation);
      if (own?.value === undefined) throw e;
      return { value: recordOf(state, own.value), serverTime: serverTimeOf(own.seen) };
    }
    // The write succeeded but its answer named no etag: read it back.
    const back = await ownWrite(rows, operation);
    if (back?.value === undefined) throw new LedgerConflictError(operation);
    return { value: recordOf(state, back.value), serverTime: serverTimeOf(back.seen) };
  }

  return {
    async ensureTable() {
      await call('ensure-table', (abortSignal) => client.createTable({ abortSignal }));
    },

    async read(businessId: string, key: string): Promise<LedgerResult<MailRecord | undefined>> {
      // The key rules of writes: a clear error rather than a silent miss.
      checkBusinessId(businessId);
      checkRecordKey(key);
      const { value: stored, seen } = await call('read', (abortSignal) => get(businessId, key, abortSignal));
      const parsed = stored && parseRow(businessId, key, stored, stored.etag);
      return { value: parsed?.type === 'state' ? parsed.record : undefined, serverTime: serverTimeOf(seen) };
    },

    async insert(record: NewMailRecord): Promise<LedgerResult<MailRecord>> {
      const row = stateRow(record);
      return write('insert', [row], async (abortSignal) => {
        const response = await client.createEntity(toEntity(row), { abortSignal });
        return response.etag;
      });
    },

    async update(record: MailRecord, attempts: AttemptRecord[] = []): Promise<LedgerResult<MailRecord>> {
      const rows = rowsForUpdate(record, attempts);
      const [state, ...added] = rows.map(toEntity);
      if (state === undefined) throw new Error('unreachable: no state row');

      return write('update', rows, async (abortSignal) => {
        if (added.length === 0) {
          const response = await client.updateEntity(state, 'Replace', { etag: record.etag, abortSignal });
          return response.etag;
        }
        // One batch: the ETag-guarded replace and the attempt inserts land together or not at all.
        const actions: TransactionAction[] = [
          ['update', state, 'Replace', { etag: record.etag }],
          ...added.map((entity): TransactionAction => ['create', entity]),
        ];
        const response = await client.submitTransaction(actions, { abortSignal });
        return response.subResponses[0]?.etag;
      });
    },

    async history(businessId: string): Promise<LedgerHistory> {
      checkBusinessId(businessId);
      const history: LedgerHistory = { records: [], attempts: [] };
      let continuationToken: string | undefined;
      do {
        // One page per call, so the timeout bounds each page rather than the whole partition.
        const { value: page } = await call('history', async (abortSignal) => {
          const filter = odata`PartitionKey eq ${businessId}`;
          const pages = client
            .listEntities({ queryOptions: { filter }, abortSignal })
            .byPage({ maxPageSize: pageSize, continuationToken });
          const next = await pages.next();
          return next.done === true ? undefined : next.value;
        });
        for (const entity of page ?? []) {
          const parsed = parseRow(businessId, entity.rowKey ?? '', entity, entity.etag);
          if (parsed?.type === 'state') history.records.push(parsed.record);
          else if (parsed?.type === 'attempt') history.attempts.push(parsed.attempt);
        }
        continuationToken = page?.continuationToken;
      } while (continuationToken !== undefined);
      return sortHistory(history);
    },

    async claimKey(claim: KeyClaim): Promise<LedgerResult<KeyClaim>> {
      const row = claimRow(claim);
      const { value: stored, seen } = await call('claim', async (abortSignal) => {
        try {
          await client.createEntity(toEntity(row), { abortSignal });
        } catch (e) {
          // 409: claimed before (by us, if the SDK retried a lost answer): the stored claim is the answer.
          if (!(toLedgerError(e, 'claim', timeoutMs) instanceof LedgerConflictError)) throw e;
        }
        return get(row.partitionKey, row.rowKey, abortSignal);
      });
      const parsed = stored && parseRow(row.partitionKey, row.rowKey, stored, stored.etag);
      if (parsed?.type !== 'index') throw new LedgerUnavailableError('key claim did not read back');
      return {
        value: { key: parsed.entry.key, businessId: parsed.entry.businessId },
        serverTime: serverTimeOf(seen),
      };
    },

    async index(entries: IndexEntry[]): Promise<void> {
      const rows = entries.map(indexRow);
      for (const row of rows) {
        await call('index', (abortSignal) => client.upsertEntity(toEntity(row), 'Replace', { abortSignal }));
      }
    },

    async lookup(kind: IndexKind, id: string): Promise<IndexEntry | undefined> {
      // An id that could never be a row key was never indexed.
      if (!isIndexableId(id)) return undefined;
      const partition = indexPartition(kind);
      const { value: stored } = await call('lookup', (abortSignal) => get(partition, id, abortSignal));
      const parsed = stored && parseRow(partition, id, stored, stored.etag);
      return parsed?.type === 'index' ? parsed.entry : undefined;
    },
  };
}
