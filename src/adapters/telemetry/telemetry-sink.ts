import type { Telemetry, TelemetryEventName, TelemetryProperties } from '../../ports/telemetry.js';

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * What every telemetry adapter implements: the `Telemetry` port, plus log lines (so "the logs" land
 * where the telemetry lands and one privacy scan covers both) and an orderly stop.
 */
export interface TelemetrySink extends Telemetry {
  log(level: LogLevel, message: string, properties: TelemetryProperties): void;
  /** Flushes, then releases what the sink holds (SDK providers, timers). Idempotent. */
  close(): Promise<void>;
}

/** Property values as they are written: `undefined` values are dropped. */
export type RecordProperties = Record<string, string | number | boolean>;

/** One line of the JSONL telemetry file (`HR_COURIER_TELEMETRY_FILE`). `time` is ISO 8601 UTC. */
export type TelemetryRecord =
  | {
      time: string;
      type: 'event';
      name: TelemetryEventName;
      properties: RecordProperties;
      measurements: Record<string, number>;
    }
  | {
      time: string;
      type: 'dependency';
      name: string;
      target: string;
      durationMs: number;
      success: boolean;
      resultCode: string;
      properties: RecordProperties;
    }
  | { time: string; type: 'exception'; name: string; message: string; properties: RecordProperties }
  | { time: string; type: 'log'; name: LogLevel; message: string; properties: RecordProperties };
