import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseTimeSpanMs } from './timespan.js';

/** The queue trigger settings of host.json, as the Functions host applies them. */
export interface HostQueueSettings {
  /** Messages fetched per receive (1–32). */
  batchSize: number;
  /** Fetch the next batch when this many or fewer are in flight. Concurrency is batchSize + this. */
  newBatchThreshold: number;
  /** The attempt at which a failing message goes to `<queue>-poison`. */
  maxDequeueCount: number;
  /** How long a failed message stays invisible before its retry. */
  visibilityTimeoutSec: number;
  /** The longest wait between polls of an empty queue. */
  maxPollingIntervalMs: number;
  messageEncoding: 'none';
  /** host.json functionTimeout; undefined when unbounded or unset. */
  functionTimeoutMs: number | undefined;
}

/** A host.json that hr-courier refuses to run with. The message is one line naming the field. */
export class HostSettingsError extends Error {
  readonly code = 'InvalidHostSettings';
  constructor(message: string) {
    super(message);
    this.name = 'HostSettingsError';
  }
}

const QUEUE_KEYS = [
  'batchSize',
  'newBatchThreshold',
  'maxDequeueCount',
  'visibilityTimeout',
  'maxPollingInterval',
  'messageEncoding',
] as const;
type QueueKey = (typeof QUEUE_KEYS)[number];

// Our policy on top of the host's ranges (docs/architecture.md §1): retries far enough apart, and enough of
// them, that a storage blip of a few minutes does not poison healthy mail.
const POLICY = { minVisibilitySec: 30, maxVisibilitySec: 60, minDequeueCount: 10 } as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** .NET configuration keys are case-insensitive. */
function lookup(obj: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : obj[found];
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new HostSettingsError(`host.json ${field} must be a whole number ${range}`);
  }
  return value;
}

function timeSpan(field: string, value: unknown, minMs: number, maxMs: number, limits: string): number {
  const ms = typeof value === 'string' ? parseTimeSpanMs(value) : undefined;
  if (ms === undefined) {
    throw new HostSettingsError(
      `host.json ${field} must be a TimeSpan string such as "00:00:45" (the host reads a bare number as days)`,
    );
  }
  if (ms < minMs || ms > maxMs) throw new HostSettingsError(`host.json ${field} must be ${limits}`);
  return ms;
}

/**
 * Validates a parsed host.json and returns its queue settings with the host's defaults filled in.
 * `processorCount` feeds the host's default newBatchThreshold (batchSize / 2 × vCPUs).
 */
export function parseHostQueueSettings(
  doc: unknown,
  processorCount = availableParallelism(),
): HostQueueSettings {
  if (!isObject(doc)) throw new HostSettingsError('host.json must be a JSON object');
  if (lookup(doc, 'version') !== '2.0') throw new HostSettingsError('host.json version must be "2.0"');

  const extensions = lookup(doc, 'extensions') ?? {};
  const queues = isObject(extensions) ? (lookup(extensions, 'queues') ?? {}) : undefined;
  if (!isObject(queues)) throw new HostSettingsError('host.json extensions.queues must be an object');
  for (const key of Object.keys(queues)) {
    // The host ignores unknown keys, so a typo would silently fall back to a default.
    if (!QUEUE_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) {
      throw new HostSettingsError(
        `host.json extensions.queues has an unknown setting; known: ${QUEUE_KEYS.join(', ')}`,
      );
    }
  }
  const get = (key: QueueKey): unknown => lookup(queues, key);
  const field = (key: QueueKey): string => `extensions.queues.${key}`;

  const encoding = get('messageEncoding');
  if (typeof encoding !== 'string' || encoding.toLowerCase() !== 'none') {
    throw new HostSettingsError(
      `host.json ${field('messageEncoding')} must be "none": producers enqueue plain JSON, and under the default base64 the host cannot decode it and poisons every message`,
    );
  }

  const batchSize = wholeNumber(field('batchSize'), get('batchSize') ?? 16, 1, 32);
  const threshold = get('newBatchThreshold');
  const newBatchThreshold =
    threshold === undefined || threshold === -1
      ? Math.floor(batchSize / 2) * processorCount
      : wholeNumber(field('newBatchThreshold'), threshold, 0, Number.MAX_SAFE_INTEGER);

  const maxDequeueCount = wholeNumber(
    field('maxDequeueCount'),
    get('maxDequeueCount') ?? 5,
    POLICY.minDequeueCount,
    Number.MAX_SAFE_INTEGER,
  );

  const visibility = get('visibilityTimeout');
  const visibilityTimeoutMs = timeSpan(
    field('visibilityTimeout'),
    visibility ?? '00:00:00',
    POLICY.minVisibilitySec * 1000,
    POLICY.maxVisibilitySec * 1000,
    `from 00:00:${POLICY.minVisibilitySec} to 00:01:00, so retries are spaced out but not stalled`,
  );
  if (visibilityTimeoutMs % 1000 !== 0) {
    throw new HostSettingsError(`host.json ${field('visibilityTimeout')} must be whole seconds`);
  }

  const polling = get('maxPollingInterval');
  const maxPollingIntervalMs =
    polling === undefined
      ? 60_000
      : timeSpan(field('maxPollingInterval'), polling, 100, 86_400_000, 'from 00:00:00.1 to 1.00:00:00');

  return {
    batchSize,
    newBatchThreshold,
    maxDequeueCount,
    visibilityTimeoutSec: visibilityTimeoutMs / 1000,
    maxPollingIntervalMs,
    messageEncoding: 'none',
    functionTimeoutMs: parseFunctionTimeout(lookup(doc, 'functionTimeout')),
  };
}

function parseFunctionTimeout(value: unknown): number | undefined {
  // Unset, null or "-1" all mean "no limit from host.json" (the plan's default applies in Azure).
  if (value === undefined || value === null || value === '-1') return undefined;
  return timeSpan('functionTimeout', value, 1000, Number.MAX_SAFE_INTEGER, 'at least 00:00:01');
}

/** Reads host.json and validates its queue settings; a bad file stops start-up with one clear line. */
export async function readHostQueueSettings(hostJsonPath: string): Promise<HostQueueSettings> {
  let text: string;
  try {
    text = await readFile(hostJsonPath, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new HostSettingsError(`host.json could not be read (${typeof code === 'string' ? code : 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HostSettingsError('host.json is not valid JSON');
  }
  return parseHostQueueSettings(doc);
}
