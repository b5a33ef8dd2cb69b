import type { Logger } from '../../ports/telemetry.js';
import type { TelemetrySink } from './telemetry-sink.js';

/**
 * A logger whose lines become telemetry items (`log` lines in the JSONL file, traces in App Insights),
 * so the privacy scan that reads the telemetry reads the logs too.
 */
export function createTelemetryLogger(sink: Pick<TelemetrySink, 'log'>): Logger {
  return {
    info: (message, properties = {}) => {
      sink.log('info', message, properties);
    },
    warn: (message, properties = {}) => {
      sink.log('warn', message, properties);
    },
    error: (message, properties = {}) => {
      sink.log('error', message, properties);
    },
  };
}

/** Writes every entry to every logger, e.g. the console and the telemetry. */
export function composeLoggers(...loggers: Logger[]): Logger {
  return {
    info: (message, properties) => {
      for (const l of loggers) l.info(message, properties);
    },
    warn: (message, properties) => {
      for (const l of loggers) l.warn(message, properties);
    },
    error: (message, properties) => {
      for (const l of loggers) l.error(message, properties);
    },
  };
}
