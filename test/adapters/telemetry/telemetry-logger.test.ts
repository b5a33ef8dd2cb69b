import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../../src/adapters/telemetry/console-logger.js';
import { createJsonlTelemetry } from '../../../src/adapters/telemetry/jsonl-telemetry.js';
import { composeLoggers, createTelemetryLogger } from '../../../src/adapters/telemetry/telemetry-logger.js';
import { createManualClock } from '../../fakes/clock.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-courier-logger-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createTelemetryLogger', () => {
  it('puts log lines in the telemetry file as `log` items, next to the console', async () => {
    const path = join(dir, 'telemetry.jsonl');
    const telemetry = createJsonlTelemetry({ path, clock: createManualClock(0) });
    const consoleLines: string[] = [];
    const log = composeLoggers(
      createConsoleLogger({ json: false, write: (l) => consoleLines.push(l) }),
      createTelemetryLogger(telemetry),
    );

    log.info('worker started', { queue: 'hr-mail' });
    log.warn('mailbox paused', { sender: 'offers@contoso.com' });
    log.error('ledger unavailable');
    await telemetry.flush();

    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      {
        time: '1970-01-01T00:00:00.000Z',
        type: 'log',
        name: 'info',
        message: 'worker started',
        properties: { queue: 'hr-mail' },
      },
      {
        time: '1970-01-01T00:00:00.000Z',
        type: 'log',
        name: 'warn',
        message: 'mailbox paused',
        properties: { sender: 'offers@contoso.com' },
      },
      {
        time: '1970-01-01T00:00:00.000Z',
        type: 'log',
        name: 'error',
        message: 'ledger unavailable',
        properties: {},
      },
    ]);
    expect(consoleLines).toHaveLength(3);
  });
});
