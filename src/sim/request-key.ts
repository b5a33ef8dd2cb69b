import { HR_COURIER_KEY_PROPERTY_ID } from '../ports/graph.js';
import { isObject } from './json-shape.js';
import { samePropertyId } from './mail-store.js';
import { parseExtendedPropertyFilter } from './odata-query.js';
import type { SimContext } from './pipeline.js';

export type GraphOperation = 'sendMail' | 'lookup';

/** The Graph operation of a routed request, or undefined for the admin routes. */
export function operationOf(ctx: SimContext): GraphOperation | undefined {
  const name = ctx.route?.name;
  if (name === 'sendMail') return 'sendMail';
  if (name === 'messages' || name === 'folderMessages') return 'lookup';
  return undefined;
}

/**
 * The HrCourierKey a request carries, read leniently before any validation: the extended property
 * of the mail sent, or the value a look-up filters on. Undefined when there is none or the request
 * is malformed (validation will refuse it later).
 */
export function requestKey(ctx: SimContext): string | undefined {
  const operation = operationOf(ctx);
  if (operation === 'lookup') return lookupKey(ctx.request.url.searchParams.get('$filter'));
  if (operation === 'sendMail') return sendMailKey(ctx.request.body);
  return undefined;
}

function lookupKey(filter: string | null): string | undefined {
  if (filter === null) return undefined;
  try {
    const parsed = parseExtendedPropertyFilter(filter);
    return samePropertyId(parsed.id, HR_COURIER_KEY_PROPERTY_ID) ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

function sendMailKey(body: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const message = isObject(json) ? json.message : undefined;
  const properties = isObject(message) ? message.singleValueExtendedProperties : undefined;
  if (!Array.isArray(properties)) return undefined;
  for (const p of properties as unknown[]) {
    if (isObject(p) && typeof p.id === 'string' && samePropertyId(p.id, HR_COURIER_KEY_PROPERTY_ID)) {
      return typeof p.value === 'string' ? p.value : undefined;
    }
  }
  return undefined;
}
