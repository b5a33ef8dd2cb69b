import type { TelemetrySink } from './telemetry-sink.js';

/** Waits for every sink, then reports the first failure: one stuck sink must not hide the others' work. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Sends every item to every sink, in the order given (App Insights and the JSONL file, typically). */
export function composeTelemetry(...sinks: TelemetrySink[]): TelemetrySink {
  return {
    event: (name, properties, measurements) => {
      for (const s of sinks) s.event(name, properties, measurements);
    },
    dependency: (d) => {
      for (const s of sinks) s.dependency(d);
    },
    exception: (code, message, properties) => {
      for (const s of sinks) s.exception(code, message, properties);
    },
    log: (level, message, properties) => {
      for (const s of sinks) s.log(level, message, properties);
    },
    flush: () => settleAll(sinks.map((s) => s.flush())),
    close: () => settleAll(sinks.map((s) => s.close())),
  };
}
