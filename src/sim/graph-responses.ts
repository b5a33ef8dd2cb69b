import type { SimContext } from './pipeline.js';

/** What Graph puts in `x-ms-ags-diagnostic`: which front-end served the request. */
export const AGS_DIAGNOSTIC = JSON.stringify({
  ServerInfo: {
    DataCenter: 'Loopback Simulator',
    Slice: 'E',
    Ring: '5',
    ScaleUnit: '000',
    RoleInstance: 'HRCOURIER-SIM01',
  },
});

export const JSON_CONTENT_TYPE = 'application/json';
/** The Content-Type Graph gives OData collections. */
export const ODATA_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/**
 * Graph's own 401 challenge. Clients do not need it, but it makes a recorded 401 look like the real one.
 */
export const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", ' +
  'client_id="00000003-0000-0000-c000-000000000000"';

export interface GraphError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** `2026-11-25T10:00:00`: the innerError date format Graph uses (UTC, no fraction, no zone). */
export function innerErrorDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19);
}

/** Answers with Graph's error body: `{"error":{"code","message","innerError":{…}}}`. */
export function respondError(ctx: SimContext, error: GraphError, now: number): void {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      innerError: {
        date: innerErrorDate(now),
        'request-id': ctx.requestId,
        'client-request-id': ctx.clientRequestId,
      },
    },
  };
  ctx.response = {
    status: error.status,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...error.headers },
    body: JSON.stringify(body),
  };
}

export function respondJson(
  ctx: SimContext,
  status: number,
  value: unknown,
  contentType = JSON_CONTENT_TYPE,
): void {
  ctx.response = { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

/** The headers Graph puts on every response, whatever the status. */
export function graphHeaders(ctx: SimContext, now: number): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    date: new Date(now).toUTCString(),
    'x-ms-ags-diagnostic': AGS_DIAGNOSTIC,
    'strict-transport-security': 'max-age=31536000',
    'cache-control': 'no-cache',
  };
}
