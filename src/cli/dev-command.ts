import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { decodeMessage } from '../core/decode.js';
import type { DeliveryReport } from '../core/delivery/types.js';
import { keyOf } from '../core/idempotency.js';
import { startDevStack } from '../dev/dev-stack.js';
import { composeQueueWriterFromEnv, composeSystem } from '../runtime/compose.js';
import type { AcceptedMail } from '../sim/types.js';
import { packageRoot } from './environment.js';
import { shutdownSignal, table, UsageError, type Io } from './io.js';
import { readSamples, SAMPLE_SENDERS } from './samples.js';
import { reportLine } from './worker-command.js';

export interface DevOptions {
  once: boolean;
  json: boolean;
  stateDir: string;
  persist: boolean;
  anyPorts: boolean;
  timeoutSec: number;
}

interface SampleRun {
  file: string;
  key: string;
  businessId: string;
  template: string;
  report?: DeliveryReport;
  mail?: AcceptedMail;
}

const SETTLED = new Set(['sent', 'failed', 'unknown', 'expired', 'duplicate']);

/**
 * `hr-courier dev` (what `npm start` runs): Azurite and the Graph simulator as child services, the
 * real worker as a child process (started after the simulator's certificate exists, because Node
 * reads NODE_EXTRA_CA_CERTS only at start-up), the shipped samples enqueued, and a table of what
 * happened to each — with the trinity and where to open the rendered mail.
 */
export async function runDev(options: DevOptions, io: Io): Promise<number> {
  const say = (line: string) => {
    if (!options.json) io.err(line);
  };
  const samples = await readSamples();
  const runs: SampleRun[] = samples.map((s) => {
    const d = decodeMessage(s.text);
    if (!d.ok) throw new UsageError(`${s.file}: ${d.reason.detail}`);
    return {
      file: relative(process.cwd(), s.file),
      key: keyOf(d.message).key,
      businessId: d.message.businessId,
      template: d.message.template,
    };
  });

  say('Starting Azurite and the Graph simulator…');
  const stack = await startDevStack({
    stateDir: options.stateDir,
    senders: [...SAMPLE_SENDERS],
    persist: options.persist,
    anyPorts: options.anyPorts,
    ...composeSystem(),
  });
  say(
    `  storage  ${stack.env.AzureWebJobsStorage === 'UseDevelopmentStorage=true' ? 'Azurite on 127.0.0.1:10000-10002' : 'Azurite on free ports'}`,
  );
  say(`  graph    ${stack.sim.baseUrl} (managed identity at ${stack.sim.identityEndpoint})`);
  say(`  outbox   ${relative(process.cwd(), stack.sim.outboxDir)}`);

  const stop = shutdownSignal();
  const workerArgs = [join(packageRoot(), 'bin', 'hr-courier.js'), 'worker', '--json'];
  if (options.once) workerArgs.push('--drain', '--max-wait', String(options.timeoutSec));
  const worker = spawn(process.execPath, workerArgs, {
    env: { ...withoutAzureMarkers(process.env), ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(worker, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stopping = false;
  const stopWorker = async () => {
    stopping = true;
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
    await exited;
  };
  createInterface({ input: worker.stderr }).on('line', (line) => {
    // Worker logs go to stderr in both modes: --json keeps only stdout machine-readable.
    if (!stopping) io.err(options.json ? line : `  [worker] ${line}`);
  });
  const allSettled = new Promise<void>((done) => {
    createInterface({ input: worker.stdout }).on('line', (line) => {
      let item: { type?: string } & Partial<DeliveryReport>;
      try {
        item = JSON.parse(line) as typeof item;
      } catch {
        return;
      }
      if (item.type !== 'delivery') return;
      const report = item as DeliveryReport;
      say(`  ${reportLine(report)}`);
      const run = runs.find((r) => r.key === report.key);
      if (run && (run.report === undefined || !SETTLED.has(run.report.outcome))) run.report = report;
      if (runs.every((r) => r.report && SETTLED.has(r.report.outcome))) done();
    });
  });

  try {
    say(`Worker started (pid ${worker.pid ?? '?'}). Enqueuing ${samples.length} sample messages…`);
    const queue = composeQueueWriterFromEnv(stack.env, stack.env.HR_COURIER_QUEUE ?? 'hr-mail');
    for (const s of samples) await queue.send(JSON.stringify(JSON.parse(s.text)));

    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => {
        r('timeout');
      }, options.timeoutSec * 1000).unref(),
    );
    const aborted = new Promise<'aborted'>((r) => {
      stop.signal.addEventListener(
        'abort',
        () => {
          r('aborted');
        },
        { once: true },
      );
    });
    const workerGone = exited.then(() => 'exited' as const);
    const first = await Promise.race([
      allSettled.then(() => 'settled' as const),
      timeout,
      aborted,
      workerGone,
    ]);

    if (options.once || first !== 'settled') await stopWorker();

    const accepted = stack.sim.accepted();
    for (const run of runs) {
      run.mail = accepted.find(
        (m) => m.requestId === run.report?.requestId || (m.key === run.key && run.report?.outcome === 'sent'),
      );
    }
    printResults(
      runs,
      options,
      io,
      first === 'timeout' ? `Timed out after ${options.timeoutSec} s.` : undefined,
    );

    if (!options.once && first === 'settled') {
      say('');
      say('The worker keeps running. In another terminal:');
      say(`  source ${relative(process.cwd(), stack.envFile)}`);
      say('  npx hr-courier enqueue samples/offer-letter.json   # a duplicate: acked, not sent again');
      say(`  npx hr-courier trace ${runs[0]?.businessId ?? 'CAND-12345'}`);
      say('Ctrl+C stops the worker, the simulator and Azurite.');
      await new Promise<void>((r) => {
        if (stop.signal.aborted) r();
        stop.signal.addEventListener(
          'abort',
          () => {
            r();
          },
          { once: true },
        );
        void exited.then(() => {
          r();
        });
      });
    }
    return runs.every((r) => r.report?.outcome === 'sent') ? 0 : 1;
  } finally {
    await stopWorker();
    stop.dispose();
    await stack.stop();
  }
}

function printResults(runs: SampleRun[], options: DevOptions, io: Io, problem?: string): void {
  if (options.json) {
    io.out(
      JSON.stringify({
        ok: runs.every((r) => r.report?.outcome === 'sent'),
        problem,
        results: runs.map((r) => ({
          file: r.file,
          businessId: r.businessId,
          key: r.key,
          template: r.template,
          state: r.report?.state ?? 'pending',
          outcome: r.report?.outcome,
          code: r.report?.code,
          sender: r.report?.sender,
          clientRequestId: r.report?.clientRequestId,
          requestId: r.report?.requestId,
          date: r.report?.graphDate,
          eml: r.mail?.emlPath,
          html: r.mail?.htmlPath,
        })),
      }),
    );
    return;
  }
  io.out('');
  const rows = runs.map((r) => [
    r.template,
    r.report?.state ?? 'pending',
    r.report?.sender ?? '',
    r.report?.clientRequestId ?? '',
    r.report?.requestId ?? '',
    r.report?.graphDate ?? '',
  ]);
  for (const line of table(['template', 'state', 'sender', 'client-request-id', 'request-id', 'Date'], rows))
    io.out(line);
  io.out('');
  io.out('Rendered mails (open the .html in a browser, the .eml in a mail client):');
  for (const r of runs) {
    if (r.mail) io.out(`  ${r.template.padEnd(20)} ${relative(process.cwd(), r.mail.htmlPath)}`);
    else io.out(`  ${r.template.padEnd(20)} (not sent${r.report?.code ? `: ${r.report.code}` : ''})`);
  }
  if (problem) io.out(problem);
}

/** The dev worker must never believe it runs in Azure (dev mode is refused there). */
function withoutAzureMarkers(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.WEBSITE_INSTANCE_ID;
  return copy;
}

export function registerDevCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('dev')
    .description(
      'The embedded default (what `npm start` runs): Azurite + the Graph simulator + the worker, the samples enqueued, ' +
        'and a table of what happened to each.',
    )
    .option('--once', 'exit when the samples are done: code 0 only if every one was sent')
    .option('--json', 'print the results as one JSON object on stdout')
    .option(
      '--state-dir <dir>',
      'certificate, outbox, telemetry file and dev.env',
      join('.hr-courier', 'dev'),
    )
    .option('--persist', "keep Azurite's data across runs (in <state-dir>/azurite)")
    .option('--any-ports', "use free ports even if Azurite's defaults (10000-10002) are available")
    .option('--timeout <seconds>', 'how long to wait for the samples', Number, 60)
    .addHelpText(
      'after',
      '\nWithout --once the worker keeps running after the samples; the printed `source …/dev.env` gives another\n' +
        'terminal the environment for `enqueue` and `trace`. Ctrl+C stops everything.',
    )
    .action(
      async (opts: {
        once?: boolean;
        json?: boolean;
        stateDir: string;
        persist?: boolean;
        anyPorts?: boolean;
        timeout: number;
      }) => {
        setExit(
          await runDev(
            {
              once: opts.once === true,
              json: opts.json === true,
              stateDir: opts.stateDir,
              persist: opts.persist === true,
              anyPorts: opts.anyPorts === true,
              timeoutSec: opts.timeout,
            },
            io,
          ),
        );
      },
    );
}
