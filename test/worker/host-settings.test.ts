import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HostSettingsError,
  parseHostQueueSettings,
  readHostQueueSettings,
} from '../../src/worker/host-settings.js';
import { parseTimeSpanMs } from '../../src/worker/timespan.js';

const hostJsonPath = fileURLToPath(new URL('../../host.json', import.meta.url));

describe("the repository's host.json", () => {
  it('gives the worker the queue settings the Functions host will use in Azure', async () => {
    const settings = await readHostQueueSettings(hostJsonPath);
    expect(settings).toEqual({
      batchSize: 4,
      newBatchThreshold: 2,
      maxDequeueCount: 10,
      visibilityTimeoutSec: 45,
      maxPollingIntervalMs: 10_000,
      messageEncoding: 'none',
      functionTimeoutMs: 600_000,
    });
  });

  it('pins extension bundle 4 and keeps custom events, requests and exceptions out of sampling', async () => {
    const doc = JSON.parse(await readFile(hostJsonPath, 'utf8')) as {
      extensionBundle: { id: string; version: string };
      logging: { applicationInsights: { samplingSettings: { excludedTypes: string } } };
    };
    expect(doc.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
    const excluded = doc.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Event', 'Request', 'Exception']));
  });
});

describe('host.json validation', () => {
  let valid: Record<string, unknown>;
  let dir: string;
  beforeAll(async () => {
    valid = JSON.parse(await readFile(hostJsonPath, 'utf8')) as Record<string, unknown>;
    dir = await mkdtemp(join(tmpdir(), 'hr-courier-host-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const withQueues = (queues: Record<string, unknown>): unknown => ({
    ...valid,
    extensions: { queues: { ...(valid.extensions as { queues: object }).queues, ...queues } },
  });
  const refusal = (doc: unknown): string => {
    try {
      parseHostQueueSettings(doc, 2);
    } catch (e) {
      expect(e).toBeInstanceOf(HostSettingsError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected host.json to be refused');
  };

  it('refuses base64 (the host default), explaining that every plain-JSON message would be poisoned', () => {
    expect(refusal(withQueues({ messageEncoding: 'base64' }))).toMatch(
      /messageEncoding must be "none".*poison/,
    );
    expect(refusal(withQueues({ messageEncoding: undefined }))).toMatch(/messageEncoding/);
  });

  it('refuses values the host or our retry policy would not accept, naming the field and the limit', () => {
    expect(refusal(withQueues({ batchSize: 33 }))).toMatch(/batchSize must be a whole number from 1 to 32/);
    expect(refusal(withQueues({ batchSize: 0 }))).toMatch(/batchSize/);
    expect(refusal(withQueues({ newBatchThreshold: -2 }))).toMatch(/newBatchThreshold/);
    expect(refusal(withQueues({ maxDequeueCount: 5 }))).toMatch(
      /maxDequeueCount must be a whole number at least 10/,
    );
    expect(refusal(withQueues({ visibilityTimeout: '00:00:10' }))).toMatch(/visibilityTimeout must be from/);
    expect(refusal(withQueues({ visibilityTimeout: '00:05:00' }))).toMatch(/visibilityTimeout/);
    expect(refusal(withQueues({ visibilityTimeout: undefined }))).toMatch(/visibilityTimeout/);
    expect(refusal(withQueues({ maxPollingInterval: '00:00:00.05' }))).toMatch(/maxPollingInterval/);
    expect(refusal({ ...valid, functionTimeout: 'ten minutes' })).toMatch(/functionTimeout/);
    expect(refusal({ ...valid, version: '1.0' })).toMatch(/version must be "2.0"/);
  });

  it('refuses a millisecond number where the host wants a TimeSpan (it would read 2000 as days)', () => {
    expect(refusal(withQueues({ maxPollingInterval: 2000 }))).toMatch(/TimeSpan string.*days/);
    expect(refusal(withQueues({ maxPollingInterval: '2000' }))).toMatch(/maxPollingInterval must be/);
  });

  it('refuses an unknown queue setting, because the host would silently ignore a misspelt one', () => {
    expect(refusal(withQueues({ maxDequeCount: 10 }))).toMatch(/unknown setting/);
  });

  it("fills in the host's defaults and reads keys case-insensitively, as .NET configuration does", () => {
    const settings = parseHostQueueSettings(
      {
        version: '2.0',
        extensions: {
          Queues: { MessageEncoding: 'None', maxDequeueCount: 12, visibilityTimeout: '00:00:30' },
        },
      },
      2,
    );
    expect(settings).toEqual({
      batchSize: 16,
      newBatchThreshold: 16,
      maxDequeueCount: 12,
      visibilityTimeoutSec: 30,
      maxPollingIntervalMs: 60_000,
      messageEncoding: 'none',
      functionTimeoutMs: undefined,
    });
  });

  it('stops start-up with one line when host.json is missing or not JSON', async () => {
    await expect(readHostQueueSettings(join(dir, 'absent.json'))).rejects.toThrow(
      /host.json could not be read \(ENOENT\)/,
    );
    const broken = join(dir, 'host.json');
    await writeFile(broken, '{ "version": "2.0", ');
    await expect(readHostQueueSettings(broken)).rejects.toThrow(/host.json is not valid JSON/);
  });
});

describe('TimeSpan parsing', () => {
  it('reads the forms .NET accepts, and a bare number as days', () => {
    expect(parseTimeSpanMs('00:00:45')).toBe(45_000);
    expect(parseTimeSpanMs('00:01')).toBe(60_000);
    expect(parseTimeSpanMs('00:00:00.1')).toBe(100);
    expect(parseTimeSpanMs('1.02:03:04.5')).toBe(93_784_500);
    expect(parseTimeSpanMs('2')).toBe(2 * 86_400_000);
    expect(parseTimeSpanMs('-00:00:01')).toBe(-1000);
  });

  it('rejects what .NET rejects', () => {
    for (const bad of ['', '00:60:00', '24:00:00', '00:00:61', '45s', '00:00:45.12345678']) {
      expect(parseTimeSpanMs(bad)).toBeUndefined();
    }
  });
});
