import { reject } from './json-shape.js';

/** A string literal in OData: single-quoted, a quote inside written as two (`O''Brien`). */
const LITERAL = String.raw`'((?:[^']|'')*)'`;

function lambda(first: 'id' | 'value', second: 'id' | 'value'): RegExp {
  return new RegExp(
    String.raw`^\s*singleValueExtendedProperties\s*/\s*any\s*\(\s*(\w+)\s*:\s*` +
      String.raw`\1\s*/\s*${first}\s+eq\s+${LITERAL}\s+and\s+\1\s*/\s*${second}\s+eq\s+${LITERAL}\s*\)\s*$`,
    'i',
  );
}

const ID_THEN_VALUE = lambda('id', 'value');
const VALUE_THEN_ID = lambda('value', 'id');

function unquote(literal: string): string {
  return literal.replace(/''/g, "'");
}

export interface ExtendedPropertyFilter {
  id: string;
  value: string;
}

/**
 * Parses the one `$filter` Graph documents for finding a message by a single-value extended
 * property: `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`.
 * Anything else is refused as Exchange refuses filters it cannot run.
 */
export function parseExtendedPropertyFilter(filter: string): ExtendedPropertyFilter {
  const idFirst = ID_THEN_VALUE.exec(filter);
  if (idFirst?.[2] !== undefined && idFirst[3] !== undefined) {
    return { id: unquote(idFirst[2]), value: unquote(idFirst[3]) };
  }
  const valueFirst = VALUE_THEN_ID.exec(filter);
  if (valueFirst?.[2] !== undefined && valueFirst[3] !== undefined) {
    return { id: unquote(valueFirst[3]), value: unquote(valueFirst[2]) };
  }
  return reject(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
}

/** `$top`: Graph pages messages 10 at a time by default and at most 1000. */
export function parseTop(top: string | null): number {
  if (top === null) return 10;
  const n = Number(top);
  if (!/^\d+$/.test(top.trim()) || !Number.isSafeInteger(n) || n < 1 || n > 1000) {
    return reject(400, 'BadRequest', "Invalid value for the query option '$top'.");
  }
  return n;
}

/** `$select=id,subject`: the properties to return (id always comes back). */
export function parseSelect(select: string | null): string[] | undefined {
  if (select === null) return undefined;
  return select
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `$expand=singleValueExtendedProperties($filter=id eq '…')`: whether to return the extended
 * properties, and which id (undefined = all).
 */
export function parseExpand(expand: string | null): { expand: boolean; id?: string } {
  if (expand === null) return { expand: false };
  const match = new RegExp(
    String.raw`^\s*singleValueExtendedProperties\s*(?:\(\s*\$filter\s*=\s*id\s+eq\s+${LITERAL}\s*\))?\s*$`,
    'i',
  ).exec(expand);
  if (!match) return reject(400, 'BadRequest', "Invalid value for the query option '$expand'.");
  return match[1] === undefined ? { expand: true } : { expand: true, id: unquote(match[1]) };
}
