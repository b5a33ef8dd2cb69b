import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../ports/clock.js';
import { recordProperties } from './record-properties.js';
import { createUrlScrubber, type UrlScrubber } from './scrub-url.js';
import type { TelemetryRecord, TelemetrySink } from './telemetry-sink.js';

export interface JsonlTelemetryOptions {
  /** The file named by `HR_COURIER_TELEMETRY_FILE`; missing folders are created. */
  path: string;
  clock: Clock;
  scrubber?: UrlScrubber;
  /** A write failed and its lines were dropped. Default: a process warning. Telemetry never throws into delivery. */
  onError?: (error: unknown) => void;
}

// One append per batch keeps each write small enough to land whole under O_APPEND, so several
// processes can share one file without interleaving partial lines.
const MAX_BATCH_BYTES = 64 * 1024;

function warn(error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  process.emitWarning(
    `hr-courier telemetry file: a write failed${typeof code === 'string' ? ` (${code})` : ''}; lines were dropped`,
  );
}

/**
 * A JSONL copy of every telemetry item and log line, one JSON object per line. Appends are
 * serialised (never two in flight), so no line is lost or torn under concurrency; `flush()` resolves
 * once everything enqueued before it is on disk (or reported as failed).
 */
export function createJsonlTelemetry(options: JsonlTelemetryOptions): TelemetrySink {
  const { path, clock } = options;
  const scrubber = options.scrubber ?? createUrlScrubber();
  const onError = options.onError ?? warn;
  const pending: string[] = [];
  let writing: Promise<void> | undefined;
  let folderReady = false;

  function takeBatch(): string {
    let bytes = 0;
    let count = 0;
    while (count < pending.length) {
      const size = Buffer.byteLength(pending[count] ?? '');
      if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      count += 1;
    }
    return pending.splice(0, count).join('');
  }

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const batch = takeBatch();
      try {
        if (!folderReady) {
          await mkdir(dirname(path), { recursive: true });
          folderReady = true;
        }
        await appendFile(path, batch, { encoding: 'utf8', flag: 'a' });
      } catch (error) {
        onError(error);
      }
    }
  }

  function schedule(): void {
    if (writing) return;
    writing = drain().finally(() => {
      writing = undefined;
      // A line enqueued after the loop's last check but before this callback would wait otherwise.
      if (pending.length > 0) schedule();
    });
  }

  function write(record: TelemetryRecord): void {
    pending.push(`${JSON.stringify(record)}\n`);
    schedule();
  }

  const time = (): string => new Date(clock.now()).toISOString();

  const sink: TelemetrySink = {
    event: (name, properties, measurements = {}) => {
      write({
        time: time(),
        type: 'event',
        name,
        properties: recordProperties(properties, scrubber),
        measurements,
      });
    },
    dependency: (d) => {
      write({
        time: time(),
        type: 'dependency',
        name: scrubber.text(d.name),
        target: scrubber.text(d.target),
        durationMs: d.durationMs,
        success: d.success,
        resultCode: d.resultCode,
        properties: recordProperties(d.properties, scrubber),
      });
    },
    exception: (code, message, properties) => {
      write({
        time: time(),
        type: 'exception',
        name: code,
        message: scrubber.text(message),
        properties: recordProperties(properties, scrubber),
      });
    },
    log: (level, message, properties) => {
      write({
        time: time(),
        type: 'log',
        name: level,
        message: scrubber.text(message),
        properties: recordProperties(properties, scrubber),
      });
    },
    flush: async () => {
      while (writing) await writing;
    },
    close: () => sink.flush(),
  };
  return sink;
}
