import { QueueClient } from '@azure/storage-queue';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { createTableClient } from '../../src/adapters/storage/clients.js';
import { createTableLedger, type TableLedger } from '../../src/adapters/tables/table-ledger.js';
import { SAMPLE_SENDERS } from '../../src/cli/samples.js';
import { traceStory, type TraceStory } from '../../src/cli/trace-command.js';
import {
  azuriteConnectionString,
  startAzurite,
  type AzuriteHandle,
  type AzuritePorts,
} from '../../src/dev/azurite.js';
import type { SimulatorHandle } from '../../src/sim/index.js';
import { REPO, runCli } from './run-cli.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { startTestSimulator, type TestSimulator, type TestSimulatorOptions } from '../sim/support/graph.js';

const QUEUE_POLL_MS = 250;

export interface GuaranteeStackOptions {
  /** Keep Azurite's data in this folder, so `stopAzurite` then `startAzurite` brings it back with its data. */
  location?: string;
  /** Mailboxes that exist and that the fence and the allow-list let the app send as (default: the samples'). */
  senders?: string[];
  /** Further simulator options (latency, transport delays…). */
  simulator?: Omit<TestSimulatorOptions, 'mailboxes'>;
}

export interface LaneOptions {
  /** Put a TCP fault proxy in front of Azurite's table port for this lane: the ledger can go down alone. */
  tableProxy?: boolean;
  /** Extra settings for the worker (HR_COURIER_TIME_SCALE, HR_COURIER_ON_UNKNOWN…). */
  env?: Record<string, string>;
}

/**
 * One test's own corner of a shared stack: its own queue (and so its poison and held queues), its own
 * ledger table (and gate rows), its own telemetry file. Tests in one file cannot disturb each other.
 */
export interface Lane {
  /** Everything a worker process (or the CLI) needs; storage goes through the proxy when there is one. */
  env: Record<string, string>;
  queueName: string;
  ledgerTable: string;
  telemetryFile: string;
  /** Present when asked for: between this lane's workers and the table service. */
  tableProxy: TcpProxy | undefined;
  /** Enqueues `text` unchanged, `times` times (as a producer retrying its own send would). */
  enqueue(text: string, times?: number): Promise<void>;
  /** The ledger's story of a businessId, read directly (not through the proxy). */
  trace(businessId: string): Promise<TraceStory>;
  /** The same story as a user gets it: `hr-courier trace <businessId> --json`, in its own process. */
  traceCli(businessId: string): Promise<TraceStory | undefined>;
  /** Texts in `<queue>-poison`. */
  poisonTexts(): Promise<string[]>;
  /** Texts in `<queue>-held` (unknown outcomes held for an operator). */
  heldTexts(): Promise<string[]>;
  /** Messages left in the main queue, invisible (deferred, in flight) ones included. */
  queueLength(): Promise<number>;
  /**
   * Resolves once the main queue holds nothing, invisible messages included (the queue offers no
   * event for it, so this polls); rejects after `timeoutMs` with the count it last saw.
   */
  whenQueueEmpty(timeoutMs: number): Promise<void>;
}

export interface GuaranteeStack {
  sim: SimulatorHandle;
  /** A temporary folder for telemetry files; also a neutral working directory for workers. */
  dir: string;
  /** The Azurite running now (a new handle after `startAzurite`). */
  azurite(): AzuriteHandle;
  newLane(label: string, options?: LaneOptions): Promise<Lane>;
  /**
   * Writes the shipped host.json with some `extensions.queues` settings changed (for `worker
   * --host-json`) and returns its path. The worker still validates it against the policy.
   */
  hostJson(queues: Record<string, unknown>): Promise<string>;
  /** Stops Azurite (gracefully: it saves its data). Needs `location`. */
  stopAzurite(): Promise<void>;
  /** Starts Azurite again on the same ports with the same `location`. */
  startAzurite(): Promise<void>;
  stop(): Promise<void>;
}

/** Azurite, the Graph simulator (trusted certificate), and fresh lanes on demand: one per test file. */
export async function startGuaranteeStack(options: GuaranteeStackOptions = {}): Promise<GuaranteeStack> {
  const senders = options.senders ?? [...SAMPLE_SENDERS];
  const dir = await mkdtemp(join(tmpdir(), 'hr-courier-guarantee-'));
  let azurite: AzuriteHandle | undefined;
  let sim: TestSimulator;
  try {
    azurite = await startAzurite(options.location ? { location: options.location } : {});
    sim = await startTestSimulator({ ...options.simulator, mailboxes: senders });
  } catch (e) {
    await azurite?.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  let current: AzuriteHandle = azurite;
  const ports: AzuritePorts = current.ports;
  const direct = azuriteConnectionString(ports);
  const proxies: TcpProxy[] = [];
  const ledgers = new Map<string, TableLedger>();
  let azuriteUp = true;

  const ledgerOf = (table: string): TableLedger => {
    let ledger = ledgers.get(table);
    if (!ledger) {
      ledger = createTableLedger({
        client: createTableClient({ kind: 'connection-string', connectionString: direct }, table),
      });
      ledgers.set(table, ledger);
    }
    return ledger;
  };

  const newLane = async (label: string, laneOptions: LaneOptions = {}): Promise<Lane> => {
    const id = `${label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 20)}${randomBytes(4).toString('hex')}`;
    const queueName = `g-${id}`;
    const ledgerTable = `Ledger${id.replace(/[^a-z0-9]/g, '')}`;
    const telemetryFile = join(dir, `${queueName}.telemetry.jsonl`);
    let tableProxy: TcpProxy | undefined;
    if (laneOptions.tableProxy) {
      tableProxy = await startTcpProxy({ targetPort: ports.table });
      proxies.push(tableProxy);
    }
    const env: Record<string, string> = {
      ...sim.sim.env(),
      AzureWebJobsStorage: azuriteConnectionString({
        ...ports,
        ...(tableProxy ? { table: tableProxy.port } : {}),
      }),
      HR_COURIER_QUEUE: queueName,
      HR_COURIER_LEDGER_TABLE: ledgerTable,
      HR_COURIER_ALLOWED_SENDERS: senders.join(','),
      HR_COURIER_TELEMETRY_FILE: telemetryFile,
      ...laneOptions.env,
    };
    const queue = (name: string) => new QueueClient(direct, name);
    const main = queue(queueName);
    await main.createIfNotExists();
    await ledgerOf(ledgerTable).ensureTable();

    const queueLength = async () => (await main.getProperties()).approximateMessagesCount ?? 0;
    const texts = async (name: string): Promise<string[]> => {
      const client = queue(name);
      if (!(await client.exists())) return [];
      // Peeking leaves the messages where they are; 32 is the most one peek returns.
      const peeked = await client.peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.map((m) => m.messageText);
    };

    return {
      env,
      queueName,
      ledgerTable,
      telemetryFile,
      tableProxy,
      enqueue: async (text, times = 1) => {
        for (let i = 0; i < times; i++) await main.sendMessage(text, { messageTimeToLive: -1 });
      },
      trace: async (businessId) =>
        traceStory(ledgerOf(ledgerTable), { businessId }).then((s) => s ?? { businessId, records: [] }),
      traceCli: async (businessId) => {
        const run = await runCli(['trace', businessId, '--json'], {
          env: { ...process.env, ...env, AzureWebJobsStorage: direct },
          cwd: dir,
          timeoutMs: 30_000,
        });
        let parsed: { found: boolean } & Partial<TraceStory>;
        try {
          parsed = JSON.parse(run.stdout) as typeof parsed;
        } catch {
          throw new Error(
            `trace --json printed no JSON (exit ${run.code ?? run.signal}): ${run.stderr.slice(-1000)}`,
          );
        }
        if (!parsed.found) return undefined;
        return { businessId: parsed.businessId ?? businessId, records: parsed.records ?? [] };
      },
      poisonTexts: () => texts(`${queueName}-poison`),
      heldTexts: () => texts(`${queueName}-held`),
      queueLength,
      whenQueueEmpty: async (timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const left = await queueLength();
          if (left === 0) return;
          if (Date.now() > deadline) {
            throw new Error(`queue ${queueName} still held ${left} messages after ${timeoutMs} ms`);
          }
          await sleep(QUEUE_POLL_MS);
        }
      },
    };
  };

  return {
    sim: sim.sim,
    dir,
    azurite: () => current,
    newLane,
    hostJson: async (queues) => {
      const shipped = JSON.parse(await readFile(join(REPO, 'host.json'), 'utf8')) as {
        extensions: { queues: Record<string, unknown> };
      };
      shipped.extensions.queues = { ...shipped.extensions.queues, ...queues };
      const path = join(dir, `host-${randomBytes(4).toString('hex')}.json`);
      await writeFile(path, JSON.stringify(shipped, null, 2));
      return path;
    },
    stopAzurite: async () => {
      if (!options.location) throw new Error('stopAzurite needs a stack started with `location`');
      azuriteUp = false;
      await current.stop();
    },
    startAzurite: async () => {
      if (!options.location) throw new Error('startAzurite needs a stack started with `location`');
      current = await startAzurite({ location: options.location, ports });
      azuriteUp = true;
    },
    stop: async () => {
      await Promise.all(proxies.map((p) => p.close()));
      await sim.stop();
      if (azuriteUp) await current.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
