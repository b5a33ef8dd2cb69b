import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DeliveryReport } from '../../src/core/delivery/types.js';
import type { WorkerSummary } from '../../src/worker/worker-types.js';
import { CLI, REPO } from './run-cli.js';

/** One `{"type":"delivery"}` line of `hr-courier worker --json`, with who printed it. */
export interface FleetReport extends DeliveryReport {
  /** Index of the worker in the fleet. */
  worker: number;
  /** Arrival order across the whole fleet, from 0. */
  seq: number;
  /** Milliseconds since the fleet started: for reading a failure, never for asserting. */
  atMs: number;
}

export interface FleetSummary extends WorkerSummary {
  worker: number;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerFleetOptions {
  /** Settings for every worker, over this process's environment. */
  env: Record<string, string>;
  count: number;
  /** Arguments after `worker --json` (e.g. `--host-json FILE`). */
  args?: string[];
  /** Working directory: the CLI reads ./local.settings.json from it (default: the repository). */
  cwd?: string;
}

export type FleetPredicate = (reports: readonly FleetReport[]) => boolean;

export interface WorkerFleet {
  readonly size: number;
  /** Every delivery report so far, in arrival order. */
  reports(): readonly FleetReport[];
  /** Summary lines of workers that stopped cleanly. */
  summaries(): readonly FleetSummary[];
  running(i: number): boolean;
  pid(i: number): number | undefined;
  /** Worker i's stderr (all its runs, most recent 64 KB). */
  stderr(i: number): string;
  /** Resolves when worker i's current process exits (at once if it is not running). */
  exited(i: number): Promise<WorkerExit>;
  /** Sends a signal (default SIGKILL: a crash) and waits for the exit. */
  kill(i: number, signal?: NodeJS.Signals): Promise<WorkerExit>;
  /** SIGTERM (finish in-flight work, return the rest) and wait for the exit. */
  stop(i: number, timeoutMs?: number): Promise<WorkerExit>;
  /** Stops worker i if it runs, then starts it again; `env` changes its settings from then on. */
  restart(i: number, env?: Record<string, string>): Promise<void>;
  /**
   * Resolves with the reports once `predicate` holds; rejects after `timeoutMs`, or as soon as no worker
   * is left running, with the last lines of every worker's stderr.
   */
  waitFor(predicate: FleetPredicate, timeoutMs: number, what?: string): Promise<readonly FleetReport[]>;
  /** Stops every worker (SIGTERM, then SIGKILL past the grace). Never throws: for afterAll/afterEach. */
  stopAll(timeoutMs?: number): Promise<void>;
}

const STDERR_KEEP = 64 * 1024;
const KILL_WAIT_MS = 10_000;
/** The worker's own shutdown grace (30 s) plus its abandon period (10 s) and a margin. */
const STOP_WAIT_MS = 45_000;

interface Slot {
  child?: ChildProcess;
  /** Settings of this worker on top of the fleet's (after a restart that changed them). */
  env: Record<string, string>;
  exit?: Promise<WorkerExit>;
  stderr: string;
  restarting: boolean;
}

/** N `hr-courier worker --json` processes on the same settings: scale-out on one machine. */
export function startWorkerFleet(options: WorkerFleetOptions): WorkerFleet {
  const startedAt = Date.now();
  const reports: FleetReport[] = [];
  const summaries: FleetSummary[] = [];
  const slots: Slot[] = Array.from({ length: options.count }, () => ({
    env: {},
    stderr: '',
    restarting: false,
  }));
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };

  const baseEnv = { ...process.env };
  // Never "in Azure" (dev mode is refused there), and never shipping test telemetry to a real
  // Application Insights resource that happens to be configured in the developer's shell.
  delete baseEnv.WEBSITE_INSTANCE_ID;
  delete baseEnv.APPLICATIONINSIGHTS_CONNECTION_STRING;

  const slotOf = (i: number): Slot => {
    const slot = slots[i];
    if (!slot) throw new RangeError(`no worker ${i} in a fleet of ${slots.length}`);
    return slot;
  };
  const isRunning = (slot: Slot) =>
    slot.child !== undefined && slot.child.exitCode === null && slot.child.signalCode === null;

  const spawnWorker = (i: number): void => {
    const slot = slotOf(i);
    const child = spawn(process.execPath, [CLI, 'worker', '--json', ...(options.args ?? [])], {
      cwd: options.cwd ?? REPO,
      env: { ...baseEnv, ...options.env, ...slot.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.child = child;
    slot.exit = new Promise<WorkerExit>((resolve) => {
      // 'close', not 'exit': by then stdout is drained, so the summary line has been read too.
      child.once('close', (code, signal) => {
        resolve({ code, signal });
        notify();
      });
      child.once('error', (e) => {
        slot.stderr += `\n[spawn failed: ${e.message}]\n`;
        resolve({ code: null, signal: null });
        notify();
      });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_KEEP);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let item: { type?: unknown };
      try {
        item = JSON.parse(line) as { type?: unknown };
      } catch {
        slot.stderr = `${slot.stderr}[stdout] ${line}\n`.slice(-STDERR_KEEP);
        return;
      }
      if (item.type === 'delivery') {
        reports.push({
          ...(item as DeliveryReport),
          worker: i,
          seq: reports.length,
          atMs: Date.now() - startedAt,
        });
        notify();
      } else if (item.type === 'summary') {
        summaries.push({ ...(item as WorkerSummary), worker: i });
      }
    });
  };

  const tail = (): string =>
    [
      `  last reports (ms, worker, outcome, code, key):`,
      ...reports.slice(-25).map((r) => `    ${r.atMs} w${r.worker} ${r.outcome} ${r.code ?? '-'} ${r.key}`),
      ...slots.map((slot, i) => {
        const lines = slot.stderr.trimEnd().split('\n').slice(-15).join('\n    ');
        const state = isRunning(slot) ? `running (pid ${slot.child?.pid ?? '?'})` : 'not running';
        return `  worker ${i}, ${state}, stderr:\n    ${lines || '(empty)'}`;
      }),
    ].join('\n');
  const waitExit = async (i: number, timeoutMs: number, what: string): Promise<WorkerExit> => {
    const slot = slotOf(i);
    const exit = slot.exit ?? Promise.resolve({ code: null, signal: null });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, timeoutMs);
    });
    const result = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    slot.child?.kill('SIGKILL');
    await exit;
    throw new Error(`worker ${i} did not exit within ${timeoutMs} ms of ${what}; killed\n${tail()}`);
  };

  for (let i = 0; i < options.count; i++) spawnWorker(i);

  const fleet: WorkerFleet = {
    size: options.count,
    reports: () => reports,
    summaries: () => summaries,
    running: (i) => isRunning(slotOf(i)),
    pid: (i) => slotOf(i).child?.pid,
    stderr: (i) => slotOf(i).stderr,
    exited: (i) => slotOf(i).exit ?? Promise.resolve({ code: null, signal: null }),
    kill: async (i, signal = 'SIGKILL') => {
      const slot = slotOf(i);
      if (!isRunning(slot)) return fleet.exited(i);
      slot.child?.kill(signal);
      return waitExit(i, KILL_WAIT_MS, signal);
    },
    stop: async (i, timeoutMs = STOP_WAIT_MS) => {
      const slot = slotOf(i);
      if (!isRunning(slot)) return fleet.exited(i);
      slot.child?.kill('SIGTERM');
      return waitExit(i, timeoutMs, 'SIGTERM');
    },
    restart: async (i, env) => {
      const slot = slotOf(i);
      slot.restarting = true;
      try {
        if (isRunning(slot)) await fleet.stop(i);
        if (env) slot.env = { ...slot.env, ...env };
        slot.stderr += '\n--- restarted ---\n';
        spawnWorker(i);
      } finally {
        slot.restarting = false;
      }
    },
    waitFor: (predicate, timeoutMs, what = 'the expected reports') =>
      new Promise((resolve, reject) => {
        const done = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          if (predicate(reports)) {
            done();
            resolve(reports);
          } else if (slots.every((s) => !isRunning(s) && !s.restarting)) {
            done();
            reject(new Error(`no worker is running, still waiting for ${what}\n${tail()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what} (${reports.length} reports)\n${tail()}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stopAll: async (timeoutMs = STOP_WAIT_MS) => {
      await Promise.all(
        slots.map(async (_slot, i) => {
          try {
            await fleet.stop(i, timeoutMs);
          } catch {
            // Already killed by stop() past its wait: cleanup must not fail the suite.
          }
        }),
      );
    },
  };
  return fleet;
}
