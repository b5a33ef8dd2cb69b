import type { TelemetryProperties } from '../../ports/telemetry.js';
import type { UrlScrubber } from './scrub-url.js';
import type { RecordProperties } from './telemetry-sink.js';

/**
 * Properties as every sink writes them: `undefined` dropped, and any URL inside a string value
 * scrubbed, as a safety net for an error message or a URL that a caller passed along.
 */
export function recordProperties(properties: TelemetryProperties, scrubber: UrlScrubber): RecordProperties {
  const out: RecordProperties = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? scrubber.text(value) : value;
  }
  return out;
}

/** App Insights custom dimensions are strings. */
export function stringProperties(properties: RecordProperties): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) out[key] = String(value);
  return out;
}
