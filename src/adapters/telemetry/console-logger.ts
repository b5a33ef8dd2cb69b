import type { Clock } from '../../ports/clock.js';
import type { Logger, TelemetryProperties } from '../../ports/telemetry.js';
import type { LogLevel } from './telemetry-sink.js';

export interface ConsoleLoggerOptions {
  /** One JSON object per line (machines, log shippers) instead of `LEVEL message key=value`. */
  json: boolean;
  /** Where a finished line goes, without its newline. Default: stderr, so stdout stays for command output. */
  write?: (line: string) => void;
  /** Entries below this level are dropped. Default `info`. */
  minLevel?: LogLevel;
  /** When given, each line carries its time (ISO 8601 UTC). */
  clock?: Clock;
}

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };

// Plain tokens print bare; anything else is JSON-quoted, so a value can never break the line.
const BARE = /^[\w.@:/+-]+$/;

function defined(properties: TelemetryProperties): [string, string | number | boolean][] {
  return Object.entries(properties).filter(
    (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
  );
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the line
  return /[\u0000-\u001f\u2028\u2029]/.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

function textLine(
  time: string | undefined,
  level: LogLevel,
  message: string,
  properties: TelemetryProperties,
): string {
  const pairs = defined(properties).map(([key, value]) => {
    const shown = typeof value === 'string' && !BARE.test(value) ? JSON.stringify(value) : String(value);
    return `${oneLine(key)}=${shown}`;
  });
  return [time, level.toUpperCase().padEnd(5), oneLine(message), ...pairs]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** The logger of the CLI and the worker: one line per entry — level, message, properties. */
export function createConsoleLogger(options: ConsoleLoggerOptions): Logger {
  const write =
    options.write ??
    ((line: string) => {
      process.stderr.write(`${line}\n`);
    });
  const min = RANK[options.minLevel ?? 'info'];

  function log(level: LogLevel, message: string, properties: TelemetryProperties = {}): void {
    if (RANK[level] < min) return;
    const time = options.clock ? new Date(options.clock.now()).toISOString() : undefined;
    write(
      options.json
        ? JSON.stringify({ time, level, message, properties: Object.fromEntries(defined(properties)) })
        : textLine(time, level, message, properties),
    );
  }

  return {
    info: (message, properties) => {
      log('info', message, properties);
    },
    warn: (message, properties) => {
      log('warn', message, properties);
    },
    error: (message, properties) => {
      log('error', message, properties);
    },
  };
}
