import type { AzureMonitorOpenTelemetryOptions } from 'applicationinsights';
import type { UrlScrubber } from './scrub-url.js';
import type { RecordProperties } from './telemetry-sink.js';

// The OpenTelemetry types as the App Insights SDK itself sees them, so they always match its version.
export type SpanProcessor = NonNullable<AzureMonitorOpenTelemetryOptions['spanProcessors']>[number];
type StartedSpan = Parameters<SpanProcessor['onStart']>[0];
type EndedSpan = Parameters<SpanProcessor['onEnd']>[0];
type Attributes = EndedSpan['attributes'];

/** An auto-collected span after scrubbing, as a dependency-shaped record for the JSONL copy. */
export interface CollectedSpan {
  name: string;
  target: string;
  durationMs: number;
  success: boolean;
  resultCode: string;
  properties: RecordProperties;
}

// Both the old (`http.url`) and the stable (`url.full`) HTTP semantic conventions are in use:
// the Azure SDK's core-tracing spans carry the former, @opentelemetry/instrumentation-http the latter.
const FULL_URL_KEYS = ['http.url', 'url.full'];
const PATH_KEYS = ['http.target', 'url.path'];
// The query alone: dropped outright rather than rewritten.
const QUERY_KEY = 'url.query';
const STATUS_KEYS = ['http.status_code', 'http.response.status_code'];
const TARGET_KEYS = ['server.address', 'net.peer.name', 'http.host'];

// Spans of the SDK's own tracer are our explicit trackDependency calls, already mirrored as such.
const MANUAL_TRACER = 'ApplicationInsightsTracer';
// SpanStatusCode.ERROR and the SpanKind names of @opentelemetry/api (number enums, by position).
const STATUS_ERROR: number = 2;
const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'];

function scrubAttributes(attributes: Attributes, scrubber: UrlScrubber): void {
  let fullUrl: string | undefined;
  for (const key of FULL_URL_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string') {
      fullUrl = scrubber.url(value);
      attributes[key] = fullUrl;
    }
  }
  for (const key of PATH_KEYS) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    // Nothing here may throw: an exception in a span processor would let the span out unscrubbed.
    attributes[key] =
      (fullUrl === undefined ? undefined : URL.parse(fullUrl)?.pathname) ?? value.replace(/[?#].*$/s, '');
  }
  Reflect.deleteProperty(attributes, QUERY_KEY);
  for (const [key, value] of Object.entries(attributes)) {
    if (FULL_URL_KEYS.includes(key) || PATH_KEYS.includes(key)) continue;
    if (typeof value === 'string') attributes[key] = scrubber.text(value);
    else if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
      attributes[key] = value.map((v) => (typeof v === 'string' ? scrubber.text(v) : v)) as string[];
    }
  }
}

function scrubLiveSpan(span: StartedSpan, scrubber: UrlScrubber): void {
  scrubAttributes(span.attributes, scrubber);
  const name = scrubber.text(span.name);
  if (name !== span.name) span.updateName(name);
}

function scrubEndingSpan(span: StartedSpan, scrubber: UrlScrubber): void {
  scrubLiveSpan(span, scrubber);
  for (const event of span.events) if (event.attributes) scrubAttributes(event.attributes, scrubber);
  if (span.status.message !== undefined) {
    span.setStatus({ ...span.status, message: scrubber.text(span.status.message) });
  }
}

function firstString(attributes: Attributes, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function collected(span: EndedSpan): CollectedSpan {
  const properties: RecordProperties = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value === undefined) continue;
    properties[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const fullUrl = firstString(span.attributes, FULL_URL_KEYS);
  const [seconds, nanos] = span.duration;
  return {
    name: span.name,
    target:
      firstString(span.attributes, TARGET_KEYS) ??
      (fullUrl === undefined ? '' : (URL.parse(fullUrl)?.host ?? '')),
    durationMs: seconds * 1000 + nanos / 1e6,
    success: (span.status.code as number) !== STATUS_ERROR,
    resultCode: firstString(span.attributes, STATUS_KEYS) ?? '',
    properties: { ...properties, autoCollected: true, kind: KINDS[span.kind] ?? String(span.kind) },
  };
}

/**
 * Keeps docs/architecture.md §5.5 true for auto-collected telemetry: rewrites URL attributes of every span
 * (storage paths cut to the container, query strings dropped) and any URL inside other attributes,
 * the span name, events and status. It scrubs at start, so processors that look early (standard
 * metrics, live metrics) never see a raw URL, and again just before the span ends, when it is
 * still writable and nothing has exported it. `onSpan` receives each auto-collected span after that.
 */
export function createScrubSpanProcessor(
  scrubber: UrlScrubber,
  onSpan?: (span: CollectedSpan) => void,
): SpanProcessor {
  return {
    onStart: (span) => {
      scrubLiveSpan(span, scrubber);
    },
    onEnding: (span) => {
      scrubEndingSpan(span, scrubber);
    },
    onEnd: (span) => {
      // Older SDKs have no onEnding: the attributes object is still the span's own, so scrub it here too.
      scrubAttributes(span.attributes, scrubber);
      if (onSpan && span.instrumentationScope.name !== MANUAL_TRACER) onSpan(collected(span));
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
