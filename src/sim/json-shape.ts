import type { GraphError } from './graph-responses.js';

/**
 * Reading a JSON request the way Graph's OData layer does: unknown properties and wrong types are
 * refused with 400 RequestBodyRead, naming the property (never its value).
 */
export class GraphRejection extends Error {
  constructor(readonly error: GraphError) {
    super(error.message);
    this.name = 'GraphRejection';
  }
}

export function reject(status: number, code: string, message: string): never {
  throw new GraphRejection({ status, code, message });
}

export function bodyRead(message: string): never {
  return reject(400, 'RequestBodyRead', message);
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OData annotations (`@odata.type`, `@odata.context`) may appear on any object. */
export function rejectUnknownProperties(obj: JsonObject, known: ReadonlySet<string>, typeName: string): void {
  for (const name of Object.keys(obj)) {
    if (name.startsWith('@') || known.has(name)) continue;
    bodyRead(
      `The property '${name}' does not exist on type '${typeName}'. Make sure to only use property names ` +
        'that are defined by the type or mark the type as open type.',
    );
  }
}

export function optionalString(obj: JsonObject, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') bodyRead(`The property '${name}' must be a string.`);
  return value;
}

export function optionalObject(obj: JsonObject, name: string): JsonObject | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) bodyRead(`The property '${name}' must be an object.`);
  return value;
}

export function optionalArray(obj: JsonObject, name: string): unknown[] | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) bodyRead(`The property '${name}' must be a collection.`);
  return value as unknown[];
}

/** OData enums are matched case-insensitively (`HTML`, `html`, `Html`). */
export function optionalEnum<T extends string>(
  obj: JsonObject,
  name: string,
  members: readonly T[],
): T | undefined {
  const value = optionalString(obj, name);
  if (value === undefined) return undefined;
  const member = members.find((m) => m.toLowerCase() === value.toLowerCase());
  if (!member) bodyRead(`The value of the property '${name}' is not a valid enumerated type constant.`);
  return member;
}

/** Exchange accepts `true`/`false` and, leniently, the same words as strings. */
export function optionalBoolean(obj: JsonObject, name: string): boolean | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return bodyRead(`The property '${name}' must be a boolean.`);
}
