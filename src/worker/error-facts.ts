import type { TelemetryProperties } from '../ports/telemetry.js';

/**
 * What may be logged about an error: its class name and stable code. Never `message`, which for a
 * handler's error may quote the message text, an address or template data.
 */
export function errorFacts(e: unknown): TelemetryProperties {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    code?: unknown;
    reason?: { code?: unknown };
  };
  const name = e instanceof Error && typeof err.name === 'string' ? err.name : typeof e;
  const code =
    typeof err.code === 'string'
      ? err.code
      : typeof err.reason?.code === 'string'
        ? err.reason.code
        : undefined;
  return { errorName: name, errorCode: code };
}
