import { describe, expect, it } from 'vitest';
import type { BenchResults, RunResult, ScenarioResult } from '../../src/bench/bench-types.js';
import { formatMarkdown, formatText } from '../../src/bench/report.js';

function run(impl: RunResult['impl'], overrides: Partial<RunResult> = {}): RunResult {
  return {
    impl,
    workers: 1,
    messages: 400,
    completed: true,
    drainMs: 41_400,
    sendWindowMs: 40_000,
    longestGapMs: 900,
    delivered: 400,
    accepted: 400,
    duplicates: 0,
    duplicateKeys: 0,
    neverSent: 0,
    graphCalls: 400,
    throttled: 0,
    rejectedByStatus: {},
    overRate: 0,
    overBudget: 0,
    callsDuringPause: 0,
    maxInFlight: 4,
    maxInFlightPerMailbox: 2,
    storageRequests: { blob: 0, queue: 760, table: 4600, total: 5360 },
    cpuMs: 8200,
    peakRssBytes: 220 * 2 ** 20,
    poisoned: 0,
    held: 0,
    events: [],
    ...overrides,
  };
}

const steady: ScenarioResult = {
  id: 'steady',
  title: 'Steady backlog',
  description: '400 messages queued up front, one worker process',
  messages: 400,
  workers: 1,
  idealMs: 34_000,
  runs: {
    'hr-courier': run('hr-courier', {
      ledger: {
        sent: 400,
        failed: 0,
        expired: 0,
        unknown: 0,
        unknownButSent: 0,
        unrecordedSends: 0,
        lost: 0,
      },
    }),
    naive: run('naive', {
      sendWindowMs: 54_700,
      graphCalls: 1376,
      throttled: 976,
      duplicates: 3,
      duplicateKeys: 2,
      storageRequests: { blob: 0, queue: 560, table: 0, total: 560 },
    }),
  },
};

const results: BenchResults = {
  startedAt: '2026-11-25T12:00:00.000Z',
  finishedAt: '2026-11-25T12:05:00.000Z',
  command: 'npm run bench',
  machine: {
    cpuModel: 'AMD EPYC',
    cores: 2,
    node: 'v20.20.2',
    os: 'linux 6.1',
    memoryGiB: 23.5,
    loadAverage: 0.2,
  },
  options: {
    timeScale: 2,
    mailboxes: 10,
    latencyMs: 150,
    steadyMessages: 400,
    stormMessages: 160,
    stormSec: 6,
    stormRetryAfterSec: 3,
    scaleOutMessages: 240,
    scaleOutWorkers: 4,
    chaosMessages: 120,
    chaosWorkers: 2,
    chaosAmbiguousRate: 0.03,
    scenarios: ['steady'],
    runTimeoutSec: 300,
    outDir: 'bench/results',
  },
  limits: {
    timeScale: 2,
    mailboxes: 10,
    latencyMs: 150,
    appConcurrency: 4,
    mailboxConcurrency: 4,
    mailboxPerMinute: 30,
    rateWindowMs: 30_000,
    recipientsPerDay: 10_000,
    recipientWindowMs: 43_200_000,
    concurrencyRetryAfterSec: 1,
    hrCourierAppConcurrency: 4,
    hrCourierMailboxConcurrency: 2,
  },
  scenarios: [steady],
};

describe('the benchmark report', () => {
  it('puts hr-courier and the naive worker side by side in a Markdown table per scenario', () => {
    const md = formatMarkdown(results);
    expect(md).toContain('## Steady backlog');
    expect(md).toContain('| metric | hr-courier | naive |');
    expect(md).toContain('| delivered/s over the send window | 10.0 | 7.3 |');
    expect(md).toContain("| share of the ideal client's rate | 85 % | 62 % |");
    expect(md).toContain('| Graph calls per delivered message | 1.00 | 3.44 |');
    expect(md).toContain('| duplicate sends | 0 | 3 (2 keys) |');
  });

  it('derives the overhead table from the steady runs', () => {
    const md = formatMarkdown(results);
    expect(md).toContain('## Overhead');
    expect(md).toContain('| storage requests per delivered message | 13.4 | 1.4 |');
    expect(md).toContain('| worker CPU ms per delivered message | 20.5 | 20.5 |');
  });

  it('states the machine, the command and what the time scale means', () => {
    const md = formatMarkdown(results);
    expect(md).toContain('AMD EPYC, 2 cores');
    expect(md).toContain('`npm run bench`');
    expect(md).toContain('Time scale 2: 1 simulated minute = 30.0 s');
  });

  it('prints the same rows as an aligned text table for the terminal', () => {
    const text = formatText(results);
    const line = text.split('\n').find((l) => l.startsWith('duplicate sends'));
    expect(line).toMatch(/^duplicate sends\s+0\s+3 \(2 keys\)$/);
  });
});
