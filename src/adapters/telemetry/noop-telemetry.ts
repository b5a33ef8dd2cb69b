import type { TelemetrySink } from './telemetry-sink.js';

/** Telemetry that goes nowhere: what runs when neither App Insights nor a telemetry file is configured. */
export function createNoopTelemetry(): TelemetrySink {
  return {
    event: () => undefined,
    dependency: () => undefined,
    exception: () => undefined,
    log: () => undefined,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
