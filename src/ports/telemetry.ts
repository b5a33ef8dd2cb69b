/**
 * Telemetry and logs. Properties are restricted to what docs/architecture.md §5.5 allows: keys, ids, counts,
 * sender mailbox, intent, template, status, code, durations, recipient domains. Never addresses,
 * names, subjects, bodies, template data, attachment names or blob paths.
 */
export type TelemetryValue = string | number | boolean | undefined;
export type TelemetryProperties = Record<string, TelemetryValue>;

export type TelemetryEventName =
  | 'Mail.Sent'
  | 'Mail.Duplicate'
  | 'Mail.Failed'
  | 'Mail.Deferred'
  | 'Mail.Unknown'
  | 'Mail.Expired'
  | 'Mail.Resolved'
  | 'Graph.Throttled'
  | 'Auth.Failed'
  | 'Mailbox.Blocked'
  | 'Breaker.Recovered'
  | 'Worker.Started'
  | 'Worker.Stopped';

export interface Telemetry {
  event(
    name: TelemetryEventName,
    properties: TelemetryProperties,
    measurements?: Record<string, number>,
  ): void;
  /** A Graph call, as a dependency: target is the host, name the operation (never the URL with the mailbox). */
  dependency(d: {
    name: string;
    target: string;
    durationMs: number;
    success: boolean;
    resultCode: string;
    properties: TelemetryProperties;
  }): void;
  /** An unexpected system error: code and safe message only. */
  exception(code: string, message: string, properties: TelemetryProperties): void;
  flush(): Promise<void>;
}

export interface Logger {
  info(message: string, properties?: TelemetryProperties): void;
  warn(message: string, properties?: TelemetryProperties): void;
  error(message: string, properties?: TelemetryProperties): void;
}
