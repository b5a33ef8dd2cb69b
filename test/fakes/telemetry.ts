import type {
  Logger,
  Telemetry,
  TelemetryEventName,
  TelemetryProperties,
} from '../../src/ports/telemetry.js';

export interface RecordedItem {
  type: 'event' | 'dependency' | 'exception' | 'log';
  name: string;
  properties: TelemetryProperties;
}

/** Telemetry and a logger that remember everything, for assertions and privacy scans. */
export function createRecordingTelemetry(): Telemetry &
  Logger & {
    items: RecordedItem[];
    events(name?: TelemetryEventName): RecordedItem[];
  } {
  const items: RecordedItem[] = [];
  const log = (message: string, properties: TelemetryProperties = {}) => {
    items.push({ type: 'log', name: message, properties });
  };
  return {
    items,
    events: (name) => items.filter((i) => i.type === 'event' && (name === undefined || i.name === name)),
    event: (name, properties, measurements) => {
      items.push({ type: 'event', name, properties: { ...properties, ...measurements } });
    },
    dependency: (d) => {
      items.push({ type: 'dependency', name: d.name, properties: { ...d.properties, target: d.target } });
    },
    exception: (code, message, properties) => {
      items.push({ type: 'exception', name: code, properties: { ...properties, message } });
    },
    flush: () => Promise.resolve(),
    info: log,
    warn: log,
    error: log,
  };
}
