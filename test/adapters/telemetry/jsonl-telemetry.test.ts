import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonlTelemetry } from '../../../src/adapters/telemetry/jsonl-telemetry.js';
import type { TelemetryRecord } from '../../../src/adapters/telemetry/telemetry-sink.js';
import { createManualClock } from '../../fakes/clock.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-courier-jsonl-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function records(path: string): Promise<TelemetryRecord[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as TelemetryRecord);
}

describe('createJsonlTelemetry', () => {
  it('writes one JSON object per item, with time and type, creating missing folders', async () => {
    const path = join(dir, 'nested', 'deeper', 'telemetry.jsonl');
    const telemetry = createJsonlTelemetry({
      path,
      clock: createManualClock(Date.parse('2026-11-25T10:00:00Z')),
    });
    telemetry.event(
      'Mail.Sent',
      { key: 'k-1', recipients: 2, resend: false, absent: undefined },
      { durationMs: 180 },
    );
    telemetry.dependency({
      name: 'sendMail',
      target: 'graph.microsoft.com',
      durationMs: 150,
      success: true,
      resultCode: '202',
      properties: { requestId: 'r-1' },
    });
    telemetry.exception('LedgerUnavailable', 'ledger write failed after 6 attempts', { key: 'k-1' });
    telemetry.log('warn', 'queue poll slow', { queue: 'hr-mail' });
    await telemetry.flush();

    expect(await records(path)).toEqual([
      {
        time: '2026-11-25T10:00:00.000Z',
        type: 'event',
        name: 'Mail.Sent',
        properties: { key: 'k-1', recipients: 2, resend: false },
        measurements: { durationMs: 180 },
      },
      {
        time: '2026-11-25T10:00:00.000Z',
        type: 'dependency',
        name: 'sendMail',
        target: 'graph.microsoft.com',
        durationMs: 150,
        success: true,
        resultCode: '202',
        properties: { requestId: 'r-1' },
      },
      {
        time: '2026-11-25T10:00:00.000Z',
        type: 'exception',
        name: 'LedgerUnavailable',
        message: 'ledger write failed after 6 attempts',
        properties: { key: 'k-1' },
      },
      {
        time: '2026-11-25T10:00:00.000Z',
        type: 'log',
        name: 'warn',
        message: 'queue poll slow',
        properties: { queue: 'hr-mail' },
      },
    ]);
  });

  it('loses no line when many items and two writers race on one file', async () => {
    const path = join(dir, 'race.jsonl');
    const clock = createManualClock();
    const a = createJsonlTelemetry({ path, clock });
    const b = createJsonlTelemetry({ path, clock });
    for (let i = 0; i < 600; i++) {
      a.event('Mail.Sent', { key: `a-${i}`, padding: 'x'.repeat(200) });
      b.event('Mail.Deferred', { key: `b-${i}`, padding: 'y'.repeat(200) });
    }
    await Promise.all([a.flush(), b.flush()]);

    const keys = (await records(path)).map((r) => (r.type === 'event' ? r.properties.key : undefined));
    expect(keys).toHaveLength(1200);
    expect(new Set(keys).size).toBe(1200);
    // Each writer's own lines keep their order.
    const fromA = keys.filter((k): k is string => typeof k === 'string' && k.startsWith('a-'));
    expect(fromA).toEqual(Array.from({ length: 600 }, (_, i) => `a-${i}`));
  });

  it('includes in flush() the items enqueued while a write is in flight', async () => {
    const path = join(dir, 'flush.jsonl');
    const telemetry = createJsonlTelemetry({ path, clock: createManualClock() });
    telemetry.event('Worker.Started', {});
    const first = telemetry.flush();
    telemetry.event('Worker.Stopped', {});
    await first;
    await telemetry.flush();
    expect((await records(path)).map((r) => r.name)).toEqual(['Worker.Started', 'Worker.Stopped']);
  });

  it('scrubs URLs that callers pass in messages and properties', async () => {
    const path = join(dir, 'scrub.jsonl');
    const telemetry = createJsonlTelemetry({ path, clock: createManualClock() });
    telemetry.exception(
      'AttachmentInvalid',
      'GET https://hrstore.blob.core.windows.net/hr-attachments/CAND-1/ada-lovelace.pdf?sig=s3cr3t failed',
      { url: 'http://127.0.0.1:10000/devstoreaccount1/hr-attachments/CAND-1/ada-lovelace.pdf' },
    );
    await telemetry.flush();
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('ada-lovelace');
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('https://hrstore.blob.core.windows.net/hr-attachments failed');
  });

  it('reports a failed write and keeps working instead of throwing into delivery', async () => {
    const errors: unknown[] = [];
    // The "file" is a directory: every append fails.
    const telemetry = createJsonlTelemetry({
      path: dir,
      clock: createManualClock(),
      onError: (e) => errors.push(e),
    });
    telemetry.event('Mail.Sent', { key: 'k' });
    await telemetry.flush();
    expect(errors).toHaveLength(1);
    expect((errors[0] as { code?: string }).code).toBe('EISDIR');
    telemetry.event('Mail.Sent', { key: 'k2' });
    await telemetry.flush();
    expect(errors).toHaveLength(2);
  });
});
