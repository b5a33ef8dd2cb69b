import type { Clock } from '../../ports/clock.js';
import { createAppInsightsTelemetry } from './app-insights-telemetry.js';
import { composeTelemetry } from './compose-telemetry.js';
import { createJsonlTelemetry } from './jsonl-telemetry.js';
import { createNoopTelemetry } from './noop-telemetry.js';
import { createUrlScrubber } from './scrub-url.js';
import type { TelemetrySink } from './telemetry-sink.js';

export interface TelemetrySettings {
  /** `APPLICATIONINSIGHTS_CONNECTION_STRING`. */
  appInsightsConnectionString?: string;
  /** `HR_COURIER_TELEMETRY_FILE`. */
  telemetryFile?: string;
  clock: Clock;
  roleName?: string;
  /** Storage endpoints the default URL rules do not recognise (see `createUrlScrubber`). */
  storageEndpoints?: readonly string[];
}

/**
 * The one telemetry composition of the Function and the worker: App Insights when a connection
 * string is set, the JSONL file when a file is set (both when both are), otherwise a no-op.
 * With both, the file also receives every auto-collected span exactly as App Insights gets it,
 * so a privacy scan of the file covers auto-collected telemetry too.
 */
export function createTelemetry(settings: TelemetrySettings): TelemetrySink {
  const storageEndpoints = settings.storageEndpoints ?? [];
  const file =
    settings.telemetryFile === undefined
      ? undefined
      : createJsonlTelemetry({
          path: settings.telemetryFile,
          clock: settings.clock,
          scrubber: createUrlScrubber({ storageEndpoints }),
        });
  const appInsights =
    settings.appInsightsConnectionString === undefined
      ? undefined
      : createAppInsightsTelemetry({
          connectionString: settings.appInsightsConnectionString,
          storageEndpoints,
          ...(settings.roleName === undefined ? {} : { roleName: settings.roleName }),
          ...(file === undefined
            ? {}
            : {
                onSpan: (span) => {
                  file.dependency(span);
                },
              }),
        });
  const sinks = [appInsights, file].filter((s): s is TelemetrySink => s !== undefined);
  const [only] = sinks;
  if (only === undefined) return createNoopTelemetry();
  return sinks.length === 1 ? only : composeTelemetry(...sinks);
}
