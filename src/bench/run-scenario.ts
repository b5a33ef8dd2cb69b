import { randomBytes } from 'node:crypto';
import { createQueueWriter } from '../adapters/queues/queue-writer.js';
import { createQueueClient, createTableClient } from '../adapters/storage/clients.js';
import type { StorageConnection } from '../adapters/storage/connection.js';
import { createTableLedger } from '../adapters/tables/table-ledger.js';
import type { MailState } from '../ports/ledger.js';
import type { SimulatorHandle } from '../sim/index.js';
import type { BenchMessage } from './bench-input.js';
import type { Impl, RunResult } from './bench-types.js';
import { STORAGE_SERVICES, type CountingProxy } from './counting-proxy.js';
import { createProcessMeter } from './process-meter.js';
import { ledgerOutcome, sendFacts } from './run-outcome.js';
import type { ScenarioSpec } from './scenarios.js';
import { startWorkerPool } from './worker-pool.js';

/** What every run shares: the services, how to reach them, and how to start each kind of worker. */
export interface RunContext {
  sim: SimulatorHandle;
  proxy: CountingProxy;
  /** Azurite itself: the runner's own reads and writes are not counted. */
  direct: StorageConnection;
  /** The counting proxy's connection string: what the workers get. */
  proxiedConnectionString: string;
  /** The environment every worker starts from (settings of the outside shell removed). */
  baseEnv: Record<string, string | undefined>;
  /** Settings for hr-courier only (time scale, caps, policy). */
  hrCourierEnv: Record<string, string>;
  /** `[script, …args]` per implementation. */
  commands: Record<Impl, string[]>;
  /** Neutral working directory for the workers (no local.settings.json). */
  cwd: string;
  latencyMs: number;
  runTimeoutMs: number;
  progress: (line: string) => void;
}

const CONCURRENT_STORAGE_CALLS = 16;

/** Runs `work` over `items` with at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function queueLength(connection: StorageConnection, name: string): Promise<number> {
  const client = createQueueClient(connection, name);
  if (!(await client.exists())) return 0;
  return (await client.getProperties()).approximateMessagesCount ?? 0;
}

/**
 * One implementation's run of one scenario: a fresh queue (and ledger table), the input enqueued up
 * front, the simulator reset, the workers started and left to drain while the scenario does its part,
 * then everything the simulator, the proxy, the kernel and the ledger can tell about it.
 */
export async function runScenario(
  ctx: RunContext,
  spec: ScenarioSpec,
  impl: Impl,
  messages: readonly BenchMessage[],
): Promise<RunResult> {
  const id = randomBytes(3).toString('hex');
  const queueName = `bench-${spec.id}-${impl}-${id}`;
  const ledgerTable = `Bench${spec.id.replace(/[^a-z]/g, '')}${impl.replace(/[^a-z]/g, '')}${id}`;
  const queue = createQueueClient(ctx.direct, queueName);
  await queue.createIfNotExists();
  const writer = createQueueWriter(queue);
  await eachLimited(messages, CONCURRENT_STORAGE_CALLS, async (m) => {
    await writer.send(m.text);
  });
  if (impl === 'hr-courier')
    await createTableLedger({ client: createTableClient(ctx.direct, ledgerTable) }).ensureTable();

  ctx.sim.reset();
  ctx.proxy.reset();
  const meter = createProcessMeter();
  const events: RunResult['events'] = [];
  const afterAcceptRules: string[] = [];
  const started = Date.now();
  const pool = startWorkerPool({
    args: ctx.commands[impl],
    cwd: ctx.cwd,
    count: spec.workers,
    env: {
      ...ctx.baseEnv,
      ...ctx.sim.env(),
      AzureWebJobsStorage: ctx.proxiedConnectionString,
      HR_COURIER_QUEUE: queueName,
      ...(impl === 'hr-courier' ? { ...ctx.hrCourierEnv, HR_COURIER_LEDGER_TABLE: ledgerTable } : {}),
    },
    onSpawn: (pid) => {
      meter.watch(pid);
    },
  });
  const runOver = new AbortController();
  const driving = (spec.drive ?? (() => Promise.resolve()))({
    sim: ctx.sim,
    pool,
    messages: messages.length,
    signal: runOver.signal,
    note: (what) => {
      events.push({ atMs: Date.now() - started, what });
      ctx.progress(`    ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
    },
    afterAcceptRule: (ruleId) => {
      afterAcceptRules.push(ruleId);
    },
  });

  const completed = await pool.allExited(ctx.runTimeoutMs);
  const drainMs = Date.now() - started;
  if (!completed) await pool.killAll();
  runOver.abort();
  await driving;
  const storage = ctx.proxy.counts();
  const cpuMs = meter.cpuMs();
  const peakRssBytes = meter.maxPeakRssBytes();
  meter.stop();
  const stats = ctx.sim.stats();
  const keys = messages.map((m) => m.key);
  const facts = sendFacts({
    stats,
    accepted: ctx.sim.accepted(),
    keys,
    afterAcceptRules,
    latencyMs: ctx.latencyMs,
  });
  ctx.sim.faults.clear();

  const result: RunResult = {
    impl,
    workers: spec.workers,
    messages: messages.length,
    completed,
    drainMs,
    ...facts,
    storageRequests: { ...storage, total: STORAGE_SERVICES.reduce((sum, s) => sum + storage[s], 0) },
    cpuMs,
    peakRssBytes,
    poisoned: await queueLength(ctx.direct, `${queueName}-poison`),
    held: await queueLength(ctx.direct, `${queueName}-held`),
    events,
  };
  if (impl === 'hr-courier') {
    const ledger = createTableLedger({ client: createTableClient(ctx.direct, ledgerTable) });
    const states = new Map<string, MailState | undefined>();
    await eachLimited(messages, CONCURRENT_STORAGE_CALLS, async (m) => {
      states.set(m.key, (await ledger.read(m.businessId, m.key)).value?.state);
    });
    result.ledger = ledgerOutcome(keys, stats.sendsByKey, states);
  }
  const exitCodes = pool.exitCodes();
  if (!completed || exitCodes.some((code) => code !== 0)) {
    result.problem = `exit codes ${JSON.stringify(exitCodes)}\n${pool.stderrTail()}`;
  }
  return result;
}
