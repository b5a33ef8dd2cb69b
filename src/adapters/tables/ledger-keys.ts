import { INVALID_INPUT_PARTITION, type IndexKind } from '../../ports/ledger.js';
import { checkKey, isValidKey, LedgerLimitError } from './table-limits.js';

/*
 * Row layout (docs/architecture.md §6), and why no two kinds of row can ever share a (PartitionKey, RowKey):
 *
 *   state row    PartitionKey = businessId        RowKey = key
 *   attempt row  PartitionKey = businessId        RowKey = `${key}~a${n:0000}`
 *   index row    PartitionKey = `@index@${kind}`  RowKey = the looked-up id
 *   rejected input (no valid businessId): PartitionKey = '@invalid' (INVALID_INPUT_PARTITION), never an index partition
 *
 * - Index partitions contain '@'. A businessId never does (contract v1 forbids it, and the ledger
 *   refuses one that does), so an index partition is never a businessId's partition.
 * - Attempt row keys contain '~'. A key never does (given keys are [A-Za-z0-9._:-], derived and raw
 *   keys are prefixed hex, and the ledger refuses any other), so an attempt row is never a state
 *   row; and since everything before the first '~' is the key, two attempt rows collide only when
 *   key and n are equal.
 * '@' and '~' are both legal in Table keys, unlike '/', '\', '#' and '?'.
 */

const INDEX_PARTITIONS = {
  key: '@index@key',
  'client-request-id': '@index@client-request-id',
  'request-id': '@index@request-id',
} as const satisfies Record<IndexKind, string>;

export const MAX_ATTEMPT_NUMBER = 9999;

export function checkBusinessId(businessId: string): void {
  // The one '@' partition that holds state rows: input that never had a valid businessId.
  if (businessId === INVALID_INPUT_PARTITION) return;
  checkKey(businessId, 'businessId', { chars: ['@'], reason: 'reserved for index partitions' });
}

export function checkRecordKey(key: string): void {
  checkKey(key, 'key', { chars: ['~'], reason: 'reserved for attempt rows' });
}

export function attemptRowKey(key: string, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ATTEMPT_NUMBER) {
    throw new LedgerLimitError('attempt number', `must be an integer from 1 to ${MAX_ATTEMPT_NUMBER}`);
  }
  return `${key}~a${String(n).padStart(4, '0')}`;
}

export function indexPartition(kind: IndexKind): string {
  return INDEX_PARTITIONS[kind];
}

export function checkIndexId(id: string): void {
  checkKey(id, 'index id');
}

/** An id that could never have been indexed (lookups answer "not found" rather than fail). */
export function isIndexableId(id: string): boolean {
  return isValidKey(id);
}

export function isValidBusinessId(businessId: string): boolean {
  return businessId === INVALID_INPUT_PARTITION || isValidKey(businessId, ['@']);
}
