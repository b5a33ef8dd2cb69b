import appInsights, { type TelemetryClient } from 'applicationinsights';
import { recordProperties, stringProperties } from './record-properties.js';
import { createScrubSpanProcessor, type CollectedSpan } from './scrub-span-processor.js';
import { createUrlScrubber } from './scrub-url.js';
import type { LogLevel, TelemetrySink } from './telemetry-sink.js';

export interface AppInsightsTelemetryOptions {
  /** `APPLICATIONINSIGHTS_CONNECTION_STRING`. Required: without one the SDK leaves a broken client. */
  connectionString: string;
  /** Cloud role name outside Azure (in Azure the platform's site name wins). */
  roleName?: string;
  /** Extra storage endpoints whose URL paths are cut to the container (see `createUrlScrubber`). */
  storageEndpoints?: readonly string[];
  /** Receives every auto-collected span after scrubbing: the JSONL copy of what App Insights gets. */
  onSpan?: (span: CollectedSpan) => void;
  /** The SDK threw while tracking. Default: a process warning naming the call. */
  onError?: (error: unknown) => void;
  /** Upper bound for `flush()`, so a stuck ingestion endpoint cannot hold a shutdown. Default 10 s. */
  flushTimeoutMs?: number;
}

const SEVERITY: Record<LogLevel, string> = { info: 'Information', warn: 'Warning', error: 'Error' };

function hasInstrumentationKey(connectionString: string): boolean {
  return connectionString.split(';').some((pair) => /^\s*instrumentationkey\s*=\s*\S/i.test(pair));
}

function warn(error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  process.emitWarning(`hr-courier telemetry: App Insights tracking failed (${name})`);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Starts the App Insights SDK (3.x, on Azure Monitor OpenTelemetry) for this process and returns
 * the telemetry sink over it. The SDK is process-global and starts once: create one sink per process
 * and share it; a second call throws, even after `close()`.
 *
 * What it collects, and why:
 * - events, dependencies, exceptions and log lines we emit explicitly;
 * - auto-collected spans (the Azure SDK's storage calls, outgoing HTTP where instrumented), with
 *   every URL scrubbed by a span processor (docs/architecture.md §5.5);
 * - performance counters and standard metrics (no personal data in them).
 * Off: console and logger capture (they would copy anything printed), uncaught-exception capture
 * (third-party messages can hold addresses), incoming requests (nothing here serves HTTP), and live
 * metrics. Sampling is off: a worker's volume is small, and `Mail.Sent` is evidence.
 */
export function createAppInsightsTelemetry(options: AppInsightsTelemetryOptions): TelemetrySink {
  if (!hasInstrumentationKey(options.connectionString)) {
    throw new Error('APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey');
  }
  if ((appInsights.defaultClient as TelemetryClient | null | undefined) != null) {
    throw new Error(
      'App Insights was already started in this process: create one telemetry sink and share it',
    );
  }
  // The distro replaces (rather than merges) a resource passed in options, which would drop the
  // attributes it detects on Azure; the standard variable is merged under them instead.
  if (options.roleName !== undefined && process.env.OTEL_SERVICE_NAME === undefined) {
    process.env.OTEL_SERVICE_NAME = options.roleName;
  }
  const scrubber = createUrlScrubber({ storageEndpoints: options.storageEndpoints ?? [] });
  const onError = options.onError ?? warn;
  const flushTimeoutMs = options.flushTimeoutMs ?? 10_000;

  appInsights
    .setup(options.connectionString)
    .setAutoCollectConsole(false, false)
    .setAutoCollectExceptions(false)
    .setAutoCollectRequests(false)
    .setSendLiveMetrics(false)
    .setAzureMonitorOptions({
      samplingRatio: 1,
      tracesPerSecond: 0,
      spanProcessors: [createScrubSpanProcessor(scrubber, options.onSpan)],
      // Replaces the SDK's whole default list: only what this app uses, and no log capture.
      instrumentationOptions: {
        http: { enabled: true },
        azureSdk: { enabled: true },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
        bunyan: { enabled: false },
        winston: { enabled: false },
        console: { enabled: false },
      },
    });
  appInsights.start();
  const client = appInsights.defaultClient;

  function track(call: () => void): void {
    try {
      call();
    } catch (error) {
      onError(error);
    }
  }

  let closing: Promise<void> | undefined;

  return {
    event: (name, properties, measurements = {}) => {
      track(() => {
        client.trackEvent({
          name,
          properties: stringProperties(recordProperties(properties, scrubber)),
          measurements,
        });
      });
    },
    dependency: (d) => {
      track(() => {
        const name = scrubber.text(d.name);
        client.trackDependency({
          name,
          // An HTTP dependency keeps its target and result code in App Insights; `data` is the
          // operation, not a URL, so the mailbox-bearing path never leaves.
          dependencyTypeName: 'HTTP',
          data: name,
          target: scrubber.text(d.target),
          duration: d.durationMs,
          success: d.success,
          resultCode: d.resultCode,
          properties: {
            ...stringProperties(recordProperties(d.properties, scrubber)),
            'http.method': 'HTTP',
          },
        });
      });
    },
    exception: (code, message, properties) => {
      track(() => {
        const error = new Error(scrubber.text(message));
        error.name = code;
        // Frames would point into this adapter, not at the failure: code and message say it all.
        error.stack = `${code}: ${error.message}`;
        client.trackException({
          exception: error,
          properties: stringProperties(recordProperties(properties, scrubber)),
        });
      });
    },
    log: (level, message, properties) => {
      track(() => {
        client.trackTrace({
          message: scrubber.text(message),
          severity: SEVERITY[level],
          properties: stringProperties(recordProperties(properties, scrubber)),
        });
      });
    },
    flush: () => withTimeout(client.flush(), flushTimeoutMs),
    close: () => {
      closing ??= (async () => {
        await withTimeout(client.flush(), flushTimeoutMs);
        // No dispose(): it shuts the providers down a second time without awaiting it.
        await withTimeout(client.shutdown(), flushTimeoutMs);
      })();
      return closing;
    },
  };
}
