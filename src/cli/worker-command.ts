import { join } from 'node:path';
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import type { DeliveryReport } from '../core/delivery/types.js';
import { composeLocalWorker } from '../runtime/compose.js';
import { readHostQueueSettings } from '../worker/host-settings.js';
import type { WorkerSummary } from '../worker/worker-types.js';
import { cliEnvironment, packageRoot } from './environment.js';
import { shutdownSignal, type Io } from './io.js';
import { crashHookFromEnv } from './crash-hook.js';

export interface WorkerOptions {
  drain: boolean;
  maxWait?: number;
  hostJson?: string;
  leaseSec?: number;
  json: boolean;
}

/** Human line for one delivered message (ids only; nothing personal). */
export function reportLine(r: DeliveryReport): string {
  const parts = [r.outcome.padEnd(9), r.key, `state=${r.state}`, `attempts=${r.attempts}`];
  if (r.code) parts.push(`code=${r.code}`);
  if (r.requestId) parts.push(`request-id=${r.requestId}`);
  if (r.delaySec !== undefined) parts.push(`retry-in=${r.delaySec}s`);
  return parts.join('  ');
}

/**
 * `hr-courier worker`: the Function's handler, fed by a local poller that honours host.json's queue
 * settings. One line per message on stdout (JSON lines with --json); logs on stderr.
 */
export async function runWorker(options: WorkerOptions, io: Io): Promise<number> {
  const env = cliEnvironment();
  const settings = loadSettings(env);
  const hostSettings = await readHostQueueSettings(options.hostJson ?? join(packageRoot(), 'host.json'));
  const crashHook = crashHookFromEnv(env, settings.devMode);
  const local = await composeLocalWorker(settings, {
    hostSettings,
    jsonLogs: options.json,
    ...(crashHook ? { crashHook } : {}),
    ...(options.leaseSec === undefined ? {} : { leaseSec: options.leaseSec }),
    onReport: (report) => {
      io.out(options.json ? JSON.stringify({ type: 'delivery', ...report }) : reportLine(report));
    },
  });
  const stop = shutdownSignal((name) => {
    io.err(`${name}: finishing in-flight messages, returning the rest to the queue…`);
  });
  if (!options.json) {
    io.err(
      `worker: queue ${settings.queueName} (batch ${hostSettings.batchSize}+${hostSettings.newBatchThreshold}, ` +
        `poison after ${hostSettings.maxDequeueCount} tries)${options.drain ? ', exits when the queue is empty' : ', Ctrl+C to stop'}`,
    );
  }
  let summary: WorkerSummary;
  try {
    summary = await local.worker.run({
      drain: options.drain,
      signal: stop.signal,
      ...(options.maxWait === undefined ? {} : { maxWaitMs: options.maxWait * 1000 }),
    });
  } finally {
    stop.dispose();
    await local.close();
  }
  if (options.json) io.out(JSON.stringify({ type: 'summary', ...summary }));
  else {
    io.err(
      `worker stopped (${summary.stoppedBy}): ${summary.succeeded} handled, ${summary.failed} failed attempts, ` +
        `${summary.poisoned} poisoned, ${summary.released} returned to the queue` +
        (summary.remaining ? `, ${summary.remaining} still queued` : ''),
    );
  }
  return summary.stoppedBy === 'maxWait' ? 1 : 0;
}

export function registerWorkerCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('worker')
    .description(
      'Deliver mail from the queue with the same handler as the Function, polling like the Functions host ' +
        '(host.json batchSize, newBatchThreshold, visibilityTimeout, maxDequeueCount → <queue>-poison).',
    )
    .option(
      '--drain',
      'exit once the queue is empty (deferred, invisible messages included) and nothing is in flight',
    )
    .option('--max-wait <seconds>', 'with --drain: give up after this long (exit code 1)', Number)
    .option('--host-json <file>', 'host.json to read queue settings from (default: the one shipped)')
    .option(
      '--lease-sec <seconds>',
      'how long a received message stays invisible between renewals; after a crash it reappears this much later (default 60)',
      Number,
    )
    .option('--json', 'one JSON object per line on stdout: each delivery, then a summary')
    .addHelpText(
      'after',
      '\nSettings come from the environment and ./local.settings.json (Values); see the README.\n' +
        'SIGINT/SIGTERM: stops fetching, lets in-flight messages finish, returns unstarted ones to the queue.',
    )
    .action(
      async (opts: {
        drain?: boolean;
        maxWait?: number;
        hostJson?: string;
        leaseSec?: number;
        json?: boolean;
      }) => {
        setExit(
          await runWorker(
            {
              drain: opts.drain === true,
              json: opts.json === true,
              ...(opts.maxWait === undefined ? {} : { maxWait: opts.maxWait }),
              ...(opts.hostJson === undefined ? {} : { hostJson: opts.hostJson }),
              ...(opts.leaseSec === undefined ? {} : { leaseSec: opts.leaseSec }),
            },
            io,
          ),
        );
      },
    );
}
