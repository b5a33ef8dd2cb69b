import { fileURLToPath } from 'node:url';
import { parseGraphBaseUrl, type GraphHost } from '../adapters/graph/graph-host.js';
import { parseStorageConnection, type StorageConnection } from '../adapters/storage/connection.js';
import type { OnUnknownPolicy } from '../core/delivery/types.js';
import { emailAddress } from '../core/contract.js';

/**
 * The one config loader: every setting of docs/architecture.md §7 (plus hr-courier's tuning knobs), read from
 * the environment (and `local.settings.json` Values, merged by the caller), validated together at
 * start-up. A bad setting stops start-up with one line naming it.
 */
export interface Settings {
  storage: StorageConnection;
  queueName: string;
  poisonQueueName: string;
  ledgerTable: string;
  allowedSenders: string[];
  appConcurrency: number;
  mailboxConcurrency: number;
  mailboxPerMinute: number;
  mailboxRecipientsPerDay: number;
  onUnknown: OnUnknownPolicy;
  templatesDir: string;
  attachmentsContainer: string;
  telemetryFile?: string;
  appInsightsConnectionString?: string;
  devMode: boolean;
  inAzure: boolean;
  graph: GraphHost;
  credential: 'managed-identity' | 'default';
  azureClientId?: string;
  sendTimeoutMs: number;
  leaseMs: number;
  maxAttempts: number;
  maxAgeMs: number;
  verifyGraceMs: number;
  /** Dev mode only: divides hr-courier's own waits, so tests and the benchmark run in seconds. */
  timeScale: number;
  heldQueueName: string;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`${setting}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Margin added to the POST timeout for the `sending` lease: covers clock skew between storage servers. */
export const LEASE_SKEW_MARGIN_MS = 60_000;

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));

export function loadSettings(env: Env): Settings {
  const inAzure = nonEmpty(env.WEBSITE_INSTANCE_ID) !== undefined;
  const devMode = flag(env, 'HR_COURIER_DEV_MODE');
  if (devMode && inAzure) {
    throw new ConfigError(
      'HR_COURIER_DEV_MODE',
      'is refused when running in Azure (WEBSITE_INSTANCE_ID is set)',
    );
  }
  const queueName = nonEmpty(env.HR_COURIER_QUEUE) ?? 'hr-mail';
  // The poison queue is `<queue>-poison`, and queue names stop at 63 characters.
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,54}[a-z0-9]$/.test(queueName)) {
    throw new ConfigError(
      'HR_COURIER_QUEUE',
      'must be 3-56 characters of a-z 0-9 and single hyphens, starting and ending with a letter or digit',
    );
  }
  const ledgerTable = nonEmpty(env.HR_COURIER_LEDGER_TABLE) ?? 'HrCourierLedger';
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(ledgerTable)) {
    throw new ConfigError(
      'HR_COURIER_LEDGER_TABLE',
      'must be 3-63 letters and digits, starting with a letter',
    );
  }
  const attachmentsContainer = nonEmpty(env.HR_COURIER_ATTACHMENTS_CONTAINER) ?? 'hr-attachments';
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(attachmentsContainer)) {
    throw new ConfigError(
      'HR_COURIER_ATTACHMENTS_CONTAINER',
      'must be a valid blob container name (3-63 of a-z 0-9 -)',
    );
  }
  const sendTimeoutMs = int(env, 'HR_COURIER_SEND_TIMEOUT_SEC', 30, devMode ? 1 : 5, 120) * 1000;
  const scale = timeScale(env, devMode);
  const settings: Settings = {
    storage: wrap('AzureWebJobsStorage', () => parseStorageConnection(env)),
    queueName,
    poisonQueueName: `${queueName}-poison`,
    ledgerTable,
    allowedSenders: senders(env),
    appConcurrency: int(env, 'HR_COURIER_APP_CONCURRENCY', 4, 1, 4),
    mailboxConcurrency: int(env, 'HR_COURIER_MAILBOX_CONCURRENCY', 2, 1, 4),
    mailboxPerMinute: int(env, 'HR_COURIER_MAILBOX_PER_MINUTE', 30, 1, devMode ? 100_000 : 30),
    mailboxRecipientsPerDay: int(
      env,
      'HR_COURIER_MAILBOX_RECIPIENTS_PER_DAY',
      9_000,
      1,
      devMode ? 10_000_000 : 10_000,
    ),
    onUnknown: onUnknown(env),
    templatesDir: nonEmpty(env.HR_COURIER_TEMPLATES) ?? DEFAULT_TEMPLATES_DIR,
    attachmentsContainer,
    devMode,
    inAzure,
    graph: wrap('GRAPH_BASE_URL', () =>
      parseGraphBaseUrl(nonEmpty(env.GRAPH_BASE_URL), { devMode, inAzure }),
    ),
    credential: credential(env),
    sendTimeoutMs,
    // One Azurite has no clock skew: dev-mode time scaling may shrink the margin, never the timeout.
    leaseMs: sendTimeoutMs + LEASE_SKEW_MARGIN_MS / scale,
    maxAttempts: int(env, 'HR_COURIER_MAX_ATTEMPTS', 12, 1, 100),
    maxAgeMs: int(env, 'HR_COURIER_MAX_AGE_HOURS', 72, 1, 24 * 90) * 3_600_000,
    verifyGraceMs: int(env, 'HR_COURIER_VERIFY_GRACE_MINUTES', 120, 1, 7 * 24 * 60) * 60_000,
    timeScale: scale,
    heldQueueName: `${queueName}-held`,
  };
  const telemetryFile = nonEmpty(env.HR_COURIER_TELEMETRY_FILE);
  if (telemetryFile !== undefined) settings.telemetryFile = telemetryFile;
  const ai = nonEmpty(env.APPLICATIONINSIGHTS_CONNECTION_STRING);
  if (ai !== undefined) {
    if (!/InstrumentationKey=|IngestionEndpoint=/i.test(ai)) {
      throw new ConfigError(
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'is not an Application Insights connection string',
      );
    }
    settings.appInsightsConnectionString = ai;
  }
  const clientId = nonEmpty(env.AZURE_CLIENT_ID);
  if (clientId !== undefined) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
      throw new ConfigError(
        'AZURE_CLIENT_ID',
        'must be the client id (a GUID) of the user-assigned managed identity',
      );
    }
    settings.azureClientId = clientId;
  }
  return settings;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}

function flag(env: Env, name: string): boolean {
  const v = nonEmpty(env[name])?.toLowerCase();
  if (v === undefined || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new ConfigError(name, 'must be 1, true, 0 or false');
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = nonEmpty(env[name]);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

function senders(env: Env): string[] {
  const raw = nonEmpty(env.HR_COURIER_ALLOWED_SENDERS);
  if (raw === undefined) {
    throw new ConfigError(
      'HR_COURIER_ALLOWED_SENDERS',
      'is required: a comma-separated list of the sender mailboxes Exchange lets this app send as',
    );
  }
  const list = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  list.forEach((s, i) => {
    if (!emailAddress.safeParse(s).success) {
      throw new ConfigError('HR_COURIER_ALLOWED_SENDERS', `entry ${i + 1} is not a mailbox address`);
    }
  });
  return [...new Set(list)];
}

function timeScale(env: Env, devMode: boolean): number {
  if (nonEmpty(env.HR_COURIER_TIME_SCALE) === undefined) return 1;
  if (!devMode) throw new ConfigError('HR_COURIER_TIME_SCALE', 'is only allowed with HR_COURIER_DEV_MODE=1');
  return int(env, 'HR_COURIER_TIME_SCALE', 1, 1, 3600);
}

function onUnknown(env: Env): OnUnknownPolicy {
  const v = nonEmpty(env.HR_COURIER_ON_UNKNOWN) ?? 'hold';
  if (v === 'hold' || v === 'verify' || v === 'verify-then-resend' || v === 'resend') return v;
  throw new ConfigError('HR_COURIER_ON_UNKNOWN', 'must be hold, verify, verify-then-resend or resend');
}

function credential(env: Env): Settings['credential'] {
  const v = nonEmpty(env.HR_COURIER_CREDENTIAL) ?? 'managed-identity';
  if (v === 'managed-identity' || v === 'default') return v;
  throw new ConfigError('HR_COURIER_CREDENTIAL', 'must be managed-identity or default');
}

function wrap<T>(setting: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    // The parsers already name their setting first; keep their line as it is.
    const line = message.startsWith(setting) ? message.slice(setting.length).replace(/^[:\s]+/, '') : message;
    throw new ConfigError(setting, line);
  }
}
