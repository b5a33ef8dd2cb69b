import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { GateCommit, GateRow, GateStore, GateView, GateWrite } from '../../ports/gate-store.js';
import { LedgerUnavailableError } from '../../ports/ledger.js';
import { attachResponseDates, type SeenDate } from './response-date.js';
import { statusOf, toLedgerError } from './table-errors.js';

/**
 * The flow gate's shared rows, in one partition of the ledger table ('@gate': '@' never occurs in a
 * businessId), so one query reads them and one batch transaction writes them atomically.
 */
export const GATE_PARTITION = '@gate';

/** Every string starting with `prefix` sorts in [prefix, successor): a range query per prefix. */
function successor(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function rowOf(entity: TableEntity & { etag?: string }): GateRow {
  const row: GateRow = { id: entity.rowKey, etag: entity.etag ?? '' };
  for (const field of ['until', 'count', 'bucket'] as const) {
    const v = entity[field];
    if (typeof v === 'number') row[field] = v;
  }
  if (typeof entity.holder === 'string') row.holder = entity.holder;
  return row;
}

function entityOf(w: GateWrite): TableEntity {
  const entity: TableEntity = { partitionKey: GATE_PARTITION, rowKey: w.id };
  // Doubles: epoch milliseconds do not fit Int32, which Table would infer from a bare integer.
  for (const field of ['until', 'count', 'bucket'] as const) {
    const v = w.values[field];
    if (v !== undefined) entity[field] = { value: v, type: 'Double' };
  }
  if (w.values.holder !== undefined) entity.holder = w.values.holder;
  return entity;
}

function serverTime(seen: SeenDate): number {
  const t = seen.date === undefined ? Number.NaN : Date.parse(seen.date);
  if (Number.isNaN(t)) throw new LedgerUnavailableError('storage response carried no Date header');
  return t;
}

export function createTableGateStore(options: {
  client: TableClient;
  operationTimeoutMs?: number;
}): GateStore {
  const { client } = options;
  const timeoutMs = options.operationTimeoutMs ?? 10_000;
  const dates = attachResponseDates(client);

  return {
    async read(prefixes): Promise<GateView> {
      const seen: SeenDate = {};
      const ranges = prefixes.map((p) => odata`(RowKey ge ${p} and RowKey lt ${successor(p)})`).join(' or ');
      const filter = `${odata`PartitionKey eq ${GATE_PARTITION}`} and (${ranges})`;
      try {
        const rows = new Map<string, GateRow>();
        await dates.within(seen, async () => {
          const pages = client
            .listEntities<TableEntity>({
              queryOptions: { filter },
              abortSignal: AbortSignal.timeout(timeoutMs),
            })
            .byPage({ maxPageSize: 1000 });
          for await (const page of pages) {
            for (const entity of page) rows.set(entity.rowKey, rowOf(entity));
          }
        });
        return { rows, serverTime: serverTime(seen) };
      } catch (e) {
        throw toLedgerError(e, 'read', timeoutMs);
      }
    },

    async write(writes): Promise<GateCommit> {
      if (writes.length === 0) return { ok: true, etags: new Map(), serverTime: Date.now() };
      const actions: TransactionAction[] = writes.map((w) =>
        w.etag === null ? ['create', entityOf(w)] : ['update', entityOf(w), 'Replace', { etag: w.etag }],
      );
      const seen: SeenDate = {};
      try {
        const response = await dates.within(seen, () =>
          client.submitTransaction(actions, { abortSignal: AbortSignal.timeout(timeoutMs) }),
        );
        const etags = new Map<string, string>();
        writes.forEach((w, i) => {
          const etag = response.subResponses[i]?.etag ?? response.getResponseForEntity(w.id)?.etag;
          if (etag !== undefined) etags.set(w.id, etag);
        });
        return { ok: true, etags, serverTime: serverTime(seen) };
      } catch (e) {
        // 412: a row changed since it was read; 409: a row we meant to create exists. Re-read and retry.
        const status = statusOf(e);
        if (status === 412 || status === 409 || status === 404) return { ok: false };
        throw toLedgerError(e, 'update', timeoutMs);
      }
    },
  };
}
