import type {
  AttemptRecord,
  IndexEntry,
  KeyClaim,
  LedgerHistory,
  MailRecord,
  NewMailRecord,
} from '../../ports/ledger.js';
import {
  attemptRowKey,
  checkBusinessId,
  checkIndexId,
  checkRecordKey,
  indexPartition,
} from './ledger-keys.js';
import {
  capJsonList,
  checkEntity,
  clipToProperty,
  entityBytes,
  LedgerLimitError,
  TABLE_LIMITS,
  type EntityProps,
} from './table-limits.js';

/**
 * Ledger records ⇄ Table rows, with no SDK in sight so the in-memory fake stores exactly what the
 * real adapter stores. Dates are ISO strings; lists and objects are JSON strings; a `!` marks a
 * field every row has (a missing count reads as 0 and a missing list as [], so rows written before
 * a field existed still read).
 */
type Kind = 'string' | 'string!' | 'number' | 'number!' | 'json' | 'list!';

// `satisfies` makes the compiler list any field of the port that this mapping forgets.
const RECORD_FIELDS = {
  keySource: 'string!',
  state: 'string!',
  payloadHash: 'string!',
  intent: 'string',
  template: 'string',
  templateVersion: 'string',
  sender: 'string',
  recipientCount: 'number!',
  recipientDomains: 'list!',
  attachmentCount: 'number!',
  deliveries: 'number!',
  attempts: 'number!',
  firstSeen: 'string!',
  lastSeen: 'string!',
  sentAt: 'string',
  lease: 'json',
  reason: 'json',
  poisonedAt: 'string',
  deferrals: 'number!',
  nextAttemptAt: 'string',
  deferredFor: 'string',
  correlationId: 'string',
  notBefore: 'string',
  expiresAt: 'string',
  lastClientRequestId: 'string',
  lastRequestId: 'string',
  unknownSince: 'string',
  verifications: 'number!',
  heldAt: 'string',
  lastError: 'string',
  resolution: 'json',
} as const satisfies Record<Exclude<keyof NewMailRecord, 'businessId' | 'key'>, Kind>;

const ATTEMPT_FIELDS = {
  key: 'string!',
  n: 'number!',
  attemptId: 'string!',
  clientRequestId: 'string!',
  requestId: 'string',
  date: 'string',
  diagnostic: 'string',
  status: 'number',
  graphCode: 'string',
  outcome: 'string!',
  code: 'string',
  retryAfter: 'string',
  durationMs: 'number!',
  startedAt: 'string!',
} as const satisfies Record<Exclude<keyof AttemptRecord, 'businessId'>, Kind>;

const INDEX_FIELDS = {
  kind: 'string!',
  id: 'string!',
  businessId: 'string!',
  key: 'string!',
} as const satisfies Record<keyof IndexEntry, Kind>;

/** Set only when a list had to be capped to fit one property: the full count. */
const DOMAINS_TOTAL = 'recipientDomainsTotal';
const FIELD_PATHS_TOTAL = 'reasonFieldPathsTotal';
/** Longest `reason.detail` kept when a reason must shrink to fit one property. */
const MAX_DETAIL = 2000;

export type RowType = 'state' | 'attempt' | 'index';

export interface Row {
  partitionKey: string;
  rowKey: string;
  props: EntityProps;
}

export type ParsedRow =
  | { type: 'state'; record: MailRecord }
  | { type: 'attempt'; attempt: AttemptRecord }
  | { type: 'index'; entry: IndexEntry };

function writeFields(source: object, spec: Record<string, Kind>, props: EntityProps): void {
  const values = source as Record<string, unknown>;
  for (const [name, kind] of Object.entries(spec)) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    if (kind === 'json' || kind === 'list!') {
      props[name] = JSON.stringify(value);
    } else if (kind === 'number' || kind === 'number!') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new LedgerLimitError(name, 'must be a finite number');
      }
      props[name] = value;
    } else {
      if (typeof value !== 'string') throw new LedgerLimitError(name, 'must be a string');
      props[name] = value;
    }
  }
}

function readFields(props: Record<string, unknown>, spec: Record<string, Kind>, what: string) {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const value = props[name];
    if (value === undefined || value === null) {
      if (kind === 'number!') out[name] = 0;
      else if (kind === 'list!') out[name] = [];
      else if (kind === 'string!') throw new Error(`${what} row has no ${name}`);
      continue;
    }
    if (kind === 'json' || kind === 'list!') {
      if (typeof value !== 'string') throw new Error(`${what} row has a malformed ${name}`);
      try {
        out[name] = JSON.parse(value);
      } catch {
        throw new Error(`${what} row has a malformed ${name}`);
      }
    } else if (kind === 'number' || kind === 'number!') {
      if (typeof value !== 'number') throw new Error(`${what} row has a malformed ${name}`);
      out[name] = value;
    } else {
      if (typeof value !== 'string') throw new Error(`${what} row has a malformed ${name}`);
      out[name] = value;
    }
  }
  return out;
}

/** Caps the lists a large message can make too long for one property, keeping their counts. */
function capLists(record: NewMailRecord, props: EntityProps): void {
  const domains = capJsonList(record.recipientDomains, TABLE_LIMITS.propertyBytes);
  props.recipientDomains = domains.json;
  if (domains.kept < record.recipientDomains.length) props[DOMAINS_TOTAL] = record.recipientDomains.length;

  const reason = record.reason;
  if (reason === undefined || (props.reason as string).length * 2 <= TABLE_LIMITS.propertyBytes) return;
  const paths = reason.fieldPaths ?? [];
  const shrunk = { ...reason, detail: reason.detail.slice(0, MAX_DETAIL), fieldPaths: [] };
  const room = TABLE_LIMITS.propertyBytes - JSON.stringify(shrunk).length * 2;
  const capped = capJsonList(paths, room);
  props.reason = JSON.stringify({ ...shrunk, fieldPaths: paths.slice(0, capped.kept) });
  if (capped.kept < paths.length) props[FIELD_PATHS_TOTAL] = paths.length;
}

export function stateRow(record: NewMailRecord): Row {
  checkBusinessId(record.businessId);
  checkRecordKey(record.key);
  const props: EntityProps = { rowType: 'state' };
  writeFields(record, RECORD_FIELDS, props);
  capLists(record, props);
  checkEntity(record.businessId, record.key, props, 'state');
  return { partitionKey: record.businessId, rowKey: record.key, props };
}

export function attemptRow(attempt: AttemptRecord): Row {
  checkBusinessId(attempt.businessId);
  checkRecordKey(attempt.key);
  const rowKey = attemptRowKey(attempt.key, attempt.n);
  const props: EntityProps = { rowType: 'attempt' };
  writeFields(attempt, ATTEMPT_FIELDS, props);
  // An attempt row is evidence of a call that already happened: clip what Graph sent, never refuse it.
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'string') props[name] = clipToProperty(value);
  }
  checkEntity(attempt.businessId, rowKey, props, 'attempt');
  return { partitionKey: attempt.businessId, rowKey, props };
}

/** A look-up row. Key rows are claims (claimRow): never written through here, so never overwritten. */
export function indexRow(entry: IndexEntry): Row {
  if (entry.kind === 'key') {
    throw new LedgerLimitError('index entry', 'of kind key is a claim: write it with claimKey');
  }
  return lookupRow(entry);
}

/** The key index row that claims a key for one businessId (insert-only). */
export function claimRow(claim: KeyClaim): Row {
  checkBusinessId(claim.businessId);
  checkRecordKey(claim.key);
  return lookupRow({ kind: 'key', id: claim.key, businessId: claim.businessId, key: claim.key });
}

function lookupRow(entry: IndexEntry): Row {
  checkIndexId(entry.id);
  const props: EntityProps = { rowType: 'index' };
  writeFields(entry, INDEX_FIELDS, props);
  const partitionKey = indexPartition(entry.kind);
  checkEntity(partitionKey, entry.id, props, 'index');
  return { partitionKey, rowKey: entry.id, props };
}

/**
 * The rows of one `update`, checked against the batch limits: the state row first, then one row
 * per attempt, all in the record's partition (a batch never spans partitions).
 */
export function rowsForUpdate(record: MailRecord, attempts: readonly AttemptRecord[]): Row[] {
  if (record.etag === '' || record.etag === '*') {
    throw new LedgerLimitError('etag', 'must be the etag of a row read from the ledger');
  }
  if (attempts.length > TABLE_LIMITS.batchOperations - 1) {
    throw new LedgerLimitError('update', `adds more than ${TABLE_LIMITS.batchOperations - 1} attempt rows`);
  }
  if (attempts.some((a) => a.businessId !== record.businessId || a.key !== record.key)) {
    throw new LedgerLimitError('attempt row', 'belongs to another record than the one it is written with');
  }
  const { etag: _etag, ...fields } = record;
  const rows = [stateRow(fields), ...attempts.map(attemptRow)];
  const bytes = rows.reduce((sum, r) => sum + entityBytes(r.partitionKey, r.rowKey, r.props), 0);
  if (bytes > TABLE_LIMITS.batchBytes) throw new LedgerLimitError('update', 'is larger than 4 MiB');
  return rows;
}

/** A stored row back as what it records; undefined for rows the ledger did not write. */
export function parseRow(
  partitionKey: string,
  rowKey: string,
  props: Record<string, unknown>,
  etag: string,
): ParsedRow | undefined {
  switch (props.rowType) {
    case 'state': {
      const fields = readFields(props, RECORD_FIELDS, `ledger state ${rowKey}`);
      const record = { businessId: partitionKey, key: rowKey, ...fields, etag } as MailRecord;
      return { type: 'state', record };
    }
    case 'attempt': {
      const fields = readFields(props, ATTEMPT_FIELDS, `ledger attempt ${rowKey}`);
      return { type: 'attempt', attempt: { businessId: partitionKey, ...fields } as AttemptRecord };
    }
    case 'index': {
      const fields = readFields(props, INDEX_FIELDS, `ledger index ${rowKey}`);
      return { type: 'index', entry: fields as unknown as IndexEntry };
    }
    default:
      return undefined;
  }
}

/** State rows by key, attempts by key then n (the number, not the row key's text). */
export function sortHistory(history: LedgerHistory): LedgerHistory {
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    records: [...history.records].sort(byKey),
    attempts: [...history.attempts].sort((a, b) => byKey(a, b) || a.n - b.n),
  };
}

/** Whether a stored row holds exactly `props` (Table adds etag, timestamp and metadata of its own). */
export function sameProps(
  expected: EntityProps,
  stored: Record<string, unknown>,
  ignore: ReadonlySet<string>,
) {
  const storedNames = Object.keys(stored).filter((name) => !ignore.has(name));
  return (
    storedNames.length === Object.keys(expected).length &&
    storedNames.every((name) => stored[name] === expected[name])
  );
}
