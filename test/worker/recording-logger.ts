import type { Logger, TelemetryProperties } from '../../src/ports/telemetry.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  properties: TelemetryProperties;
}

/** A Logger that keeps what it was told, so tests can check both what is logged and what never is. */
export function createRecordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: string, properties: TelemetryProperties = {}): void => {
      entries.push({ level, message, properties });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
