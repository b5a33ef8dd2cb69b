import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeTelemetry } from '../../../src/adapters/telemetry/compose-telemetry.js';
import { createTelemetry } from '../../../src/adapters/telemetry/create-telemetry.js';
import { createJsonlTelemetry } from '../../../src/adapters/telemetry/jsonl-telemetry.js';
import { createNoopTelemetry } from '../../../src/adapters/telemetry/noop-telemetry.js';
import { createManualClock } from '../../fakes/clock.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-courier-telemetry-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string): Promise<unknown[]> =>
  (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);

describe('createTelemetry', () => {
  it('writes the telemetry file when HR_COURIER_TELEMETRY_FILE is set', async () => {
    const path = join(dir, 'file-only', 'telemetry.jsonl');
    const telemetry = createTelemetry({ telemetryFile: path, clock: createManualClock() });
    telemetry.event('Worker.Started', { queue: 'hr-mail' });
    await telemetry.close();
    expect(await lines(path)).toEqual([expect.objectContaining({ type: 'event', name: 'Worker.Started' })]);
  });

  it('goes nowhere, without failing, when nothing is configured', async () => {
    const folder = join(dir, 'nothing');
    const telemetry = createTelemetry({ clock: createManualClock() });
    telemetry.event('Worker.Started', {});
    telemetry.exception('Unexpected', 'boom', {});
    await telemetry.flush();
    await telemetry.close();
    await expect(access(folder)).rejects.toThrow();
    expect(await readdir(dir)).not.toContain('nothing');
  });

  it('refuses a connection string without an instrumentation key, naming the setting', () => {
    expect(() =>
      createTelemetry({
        appInsightsConnectionString: 'IngestionEndpoint=https://x.example/',
        clock: createManualClock(),
      }),
    ).toThrow(/^APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey$/);
  });
});

describe('composeTelemetry', () => {
  it('sends every item to every sink and flushes them all', async () => {
    const clock = createManualClock();
    const a = join(dir, 'compose-a.jsonl');
    const b = join(dir, 'compose-b.jsonl');
    const telemetry = composeTelemetry(
      createJsonlTelemetry({ path: a, clock }),
      createNoopTelemetry(),
      createJsonlTelemetry({ path: b, clock }),
    );
    telemetry.event('Mail.Sent', { key: 'k' });
    telemetry.dependency({
      name: 'sendMail',
      target: 'graph',
      durationMs: 1,
      success: true,
      resultCode: '202',
      properties: {},
    });
    telemetry.exception('Unexpected', 'boom', {});
    telemetry.log('info', 'hello', {});
    await telemetry.flush();
    for (const path of [a, b]) {
      expect((await lines(path)).map((l) => (l as { type: string }).type)).toEqual([
        'event',
        'dependency',
        'exception',
        'log',
      ]);
    }
  });
});
