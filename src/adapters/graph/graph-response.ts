/**
 * Reads what the ledger keeps from a Graph response: the tracing headers and the error codes.
 * Graph's `error.message` is dropped on purpose: it can quote recipient addresses.
 */

export interface GraphTrace {
  requestId?: string;
  clientRequestId?: string;
  date?: string;
  diagnostic?: string;
  retryAfter?: string;
}

export interface GraphErrorCodes {
  code?: string;
  innerCode?: string;
}

/** Graph error bodies are a few hundred bytes; anything past this is not an error body we can use. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Codes are identifiers (`ErrorInvalidRecipients`); anything else is not kept, so no value slips in. */
const CODE_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/u;

export function readTrace(headers: Headers): GraphTrace {
  const trace: GraphTrace = {};
  const set = (field: keyof GraphTrace, name: string): void => {
    const value = headers.get(name);
    if (value !== null) trace[field] = value;
  };
  set('requestId', 'request-id');
  set('clientRequestId', 'client-request-id');
  set('date', 'date');
  set('diagnostic', 'x-ms-ags-diagnostic');
  set('retryAfter', 'retry-after');
  return trace;
}

/**
 * Reads at most `limit` bytes of the body and releases the connection. Returns what was read, or
 * `undefined` when the body could not be read (the status and headers still stand).
 */
export async function readBodyText(response: Response, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  const body = response.body;
  if (body === null) return '';
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= limit) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    return undefined;
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
}

function codeAt(value: Record<string, unknown> | undefined): string | undefined {
  const code = value?.code;
  return typeof code === 'string' && CODE_SHAPE.test(code) ? code : undefined;
}

/**
 * Parses `{"error":{"code","message","innerError":{...}}}`. Graph spells the inner object
 * `innerError` or `innererror`; Exchange errors may have none.
 */
export function parseErrorCodes(text: string | undefined): GraphErrorCodes {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const error = objectAt(parsed, 'error');
  const inner = objectAt(error, 'innerError') ?? objectAt(error, 'innererror');
  const codes: GraphErrorCodes = {};
  const code = codeAt(error);
  const innerCode = codeAt(inner);
  if (code !== undefined) codes.code = code;
  if (innerCode !== undefined) codes.innerCode = innerCode;
  return codes;
}

/** "Application is over its MailboxConcurrency limit." → `MailboxConcurrency`. One word, nothing else. */
const THROTTLE_LIMIT = /\bover its ([A-Za-z]{1,40}) limit\b/u;

/**
 * On a 429, the name of the limit Graph says was hit. Graph's code (`ApplicationThrottled`) is the
 * same for every limit, so this is the only thing read from `error.message`, and only one word of it.
 */
export function parseThrottleReason(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const message = objectAt(JSON.parse(text), 'error')?.message;
    return typeof message === 'string' ? THROTTLE_LIMIT.exec(message)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

/** `true` when a `$filter` look-up answered with at least one message. */
export function hasAnyValue(text: string | undefined): boolean {
  if (text === undefined || text === '') return false;
  try {
    const parsed: unknown = JSON.parse(text);
    const value =
      typeof parsed === 'object' && parsed !== null ? (parsed as { value?: unknown }).value : undefined;
    return Array.isArray(value) && value.length > 0;
  } catch {
    return false;
  }
}
