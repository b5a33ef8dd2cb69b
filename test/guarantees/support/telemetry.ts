import { readFile } from 'node:fs/promises';
import type { RecordProperties, TelemetryRecord } from '../../../src/adapters/telemetry/telemetry-sink.js';
import type { TelemetryEventName } from '../../../src/ports/telemetry.js';

/** One `type: event` line of a lane's JSONL telemetry file. */
export interface TelemetryEvent {
  time: string;
  name: TelemetryEventName;
  properties: RecordProperties;
}

/**
 * The events in a lane's telemetry file (every worker of the lane appends to it). Read it after the
 * workers stopped: they flush on the way out. A missing file is no events.
 */
export async function readEvents(file: string): Promise<TelemetryEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TelemetryRecord)
    .flatMap((r) => (r.type === 'event' ? [{ time: r.time, name: r.name, properties: r.properties }] : []));
}

/** The names of the events about one key, in the order they were written. */
export function eventNames(events: readonly TelemetryEvent[], key: string): TelemetryEventName[] {
  return events.filter((e) => e.properties.key === key).map((e) => e.name);
}

/** The events named `name` about `key`. */
export function eventsOf(
  events: readonly TelemetryEvent[],
  key: string,
  name: TelemetryEventName,
): TelemetryEvent[] {
  return events.filter((e) => e.properties.key === key && e.name === name);
}
