/**
 * Azure Table Storage limits, enforced in our own code because Azurite enforces them loosely or
 * not at all (Azurite #1446: property count; #955: key characters), so a violation would pass
 * every local test and fail only in Azure.
 * https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
 */
export const TABLE_LIMITS = {
  /** PartitionKey and RowKey: 1 KiB each. */
  keyBytes: 1024,
  /** One property value. */
  propertyBytes: 64 * 1024,
  /** Custom properties, besides PartitionKey, RowKey and Timestamp. */
  properties: 252,
  /** One entity, keys and property names included. */
  entityBytes: 1024 * 1024,
  /** Operations in one batch transaction. */
  batchOperations: 100,
  /** Payload of one batch transaction. */
  batchBytes: 4 * 1024 * 1024,
} as const;

/** A value that breaks a Table limit or key rule. The message names the field and the limit, never the value. */
export class LedgerLimitError extends Error {
  constructor(
    readonly field: string,
    readonly limit: string,
  ) {
    super(`ledger ${field} ${limit}`);
    this.name = 'LedgerLimitError';
  }
}

/** One stored cell: strings (dates as ISO text, lists and objects as JSON) and numbers. */
export type Cell = string | number;
export type EntityProps = Record<string, Cell>;

/** Table strings are UTF-16: two bytes per code unit. Counting this way errs on the safe side for keys. */
export const utf16Bytes = (s: string): number => s.length * 2;

const isInt32 = (n: number): boolean => Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647;

export function cellBytes(value: Cell): number {
  if (typeof value === 'string') return 4 + utf16Bytes(value);
  return isInt32(value) ? 4 : 8;
}

/** The size Azure counts for an entity: 4 + keys + for each property 8 + its name + its value. */
export function entityBytes(partitionKey: string, rowKey: string, props: EntityProps): number {
  let size = 4 + utf16Bytes(partitionKey) + utf16Bytes(rowKey);
  for (const [name, value] of Object.entries(props)) size += 8 + utf16Bytes(name) + cellBytes(value);
  return size;
}

/** Characters Azure forbids in PartitionKey and RowKey: / \ # ? and the control characters. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_KEY_CHARS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/** Throws unless `value` may be a PartitionKey or RowKey; `extra` lists characters we reserve as well. */
export function checkKey(
  value: string,
  field: string,
  reserved?: { chars: readonly string[]; reason: string },
): void {
  if (value.length === 0) throw new LedgerLimitError(field, 'is empty');
  if (utf16Bytes(value) > TABLE_LIMITS.keyBytes) throw new LedgerLimitError(field, 'is longer than 1 KiB');
  if (FORBIDDEN_KEY_CHARS.test(value)) {
    throw new LedgerLimitError(
      field,
      'contains a character Table keys forbid (/ \\ # ? or a control character)',
    );
  }
  if (reserved?.chars.some((c) => value.includes(c))) {
    throw new LedgerLimitError(field, `contains ${reserved.chars.join(' ')} (${reserved.reason})`);
  }
}

/** Whether `value` may be a key and holds none of the `reserved` characters. */
export function isValidKey(value: string, reserved: readonly string[] = []): boolean {
  return (
    value.length > 0 &&
    utf16Bytes(value) <= TABLE_LIMITS.keyBytes &&
    !FORBIDDEN_KEY_CHARS.test(value) &&
    !reserved.some((c) => value.includes(c))
  );
}

/** Throws unless the entity fits the property-count, property-size and entity-size limits. */
export function checkEntity(partitionKey: string, rowKey: string, props: EntityProps, what: string): void {
  const names = Object.keys(props);
  if (names.length > TABLE_LIMITS.properties) {
    throw new LedgerLimitError(`${what} row`, `has more than ${TABLE_LIMITS.properties} properties`);
  }
  for (const name of names) {
    const value = props[name];
    if (typeof value === 'string' && utf16Bytes(value) > TABLE_LIMITS.propertyBytes) {
      throw new LedgerLimitError(`${what} property ${name}`, 'is larger than 64 KiB');
    }
  }
  if (entityBytes(partitionKey, rowKey, props) > TABLE_LIMITS.entityBytes) {
    throw new LedgerLimitError(`${what} row`, 'is larger than 1 MiB');
  }
}

/**
 * The longest prefix of `list` whose JSON fits in `maxBytes` (UTF-16), so a long list is capped
 * rather than refused; the caller stores `total` beside it so the count is never lost.
 */
export function capJsonList(list: readonly string[], maxBytes: number): { json: string; kept: number } {
  const whole = JSON.stringify(list);
  if (utf16Bytes(whole) <= maxBytes) return { json: whole, kept: list.length };
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf16Bytes(JSON.stringify(list.slice(0, mid))) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return { json: JSON.stringify(list.slice(0, lo)), kept: lo };
}

/** Clips a string to fit one property, for evidence that must be stored even when oversized. */
export function clipToProperty(value: string): string {
  const maxUnits = TABLE_LIMITS.propertyBytes / 2;
  return value.length <= maxUnits ? value : value.slice(0, maxUnits - 1) + '…';
}
