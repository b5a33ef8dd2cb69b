import { CommanderError } from 'commander';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, systemIds } from '../adapters/system/system-clock.js';
import { azuriteConnectionString, startAzurite } from '../dev/azurite.js';
import { packageRoot } from '../cli/environment.js';
import { readSamples } from '../cli/samples.js';
import { ensureCertificate, startSimulator } from '../sim/index.js';
import { benchMailboxes, benchMessages } from './bench-input.js';
import { parseBenchOptions, type BenchOptions } from './bench-options.js';
import { IMPLS, type BenchLimits, type BenchResults, type ScenarioResult } from './bench-types.js';
import { startCountingProxy } from './counting-proxy.js';
import { idealDrainMs } from './ideal-drain.js';
import { describeMachine, machineInfo, type MachineInfo } from './machine.js';
import { formatMarkdown, formatText } from './report.js';
import { runScenario, type RunContext } from './run-scenario.js';
import { scenarioSpecs } from './scenarios.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

function limitsOf(o: BenchOptions): BenchLimits {
  return {
    timeScale: o.timeScale,
    mailboxes: o.mailboxes,
    latencyMs: o.latencyMs,
    appConcurrency: 4,
    mailboxConcurrency: 4,
    mailboxPerMinute: 30,
    rateWindowMs: Math.round(60_000 / o.timeScale),
    recipientsPerDay: 10_000,
    recipientWindowMs: Math.round(86_400_000 / o.timeScale),
    concurrencyRetryAfterSec: 1,
    hrCourierAppConcurrency: 4,
    hrCourierMailboxConcurrency: 2,
  };
}

/** The worker environment without anything from the outside shell that would change what is measured. */
function cleanEnv(): Record<string, string | undefined> {
  const outside = /^(HR_COURIER_|AzureWebJobsStorage|APPLICATIONINSIGHTS_|WEBSITE_INSTANCE_ID$)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !outside.test(name)));
}

function commandLine(argv: readonly string[]): string {
  const args = argv.length === 0 ? '' : ` -- ${argv.join(' ')}`;
  return process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${args}`
    : `node dist/bench/main.js${argv.length ? ` ${argv.join(' ')}` : ''}`;
}

async function run(
  argv: readonly string[],
  options: BenchOptions,
  machine: MachineInfo,
): Promise<BenchResults> {
  const limits = limitsOf(options);
  const root = packageRoot();
  const work = await mkdtemp(join(tmpdir(), 'hr-courier-bench-'));
  const mailboxes = benchMailboxes(options.mailboxes);
  const samples = (await readSamples()).map((s) => s.text);
  const startedAt = new Date().toISOString();
  // Node reads NODE_EXTRA_CA_CERTS only at start-up: the certificate must exist before any worker starts.
  const certDir = join(root, '.hr-courier', 'bench', 'cert');
  await ensureCertificate(certDir);
  say('Starting Azurite, the counting proxy and the Graph simulator…');
  const azurite = await startAzurite();
  const cleanups: (() => Promise<void>)[] = [
    () => azurite.stop(),
    () => rm(work, { recursive: true, force: true }),
  ];
  try {
    const proxy = await startCountingProxy(azurite.ports);
    cleanups.unshift(() => proxy.close());
    const sim = await startSimulator({
      clock: systemClock,
      ids: systemIds,
      certDir,
      outboxDir: join(work, 'outbox'),
      mailboxes,
      latencyMs: limits.latencyMs,
      maxConcurrentPerApp: limits.appConcurrency,
      maxConcurrentPerMailbox: limits.mailboxConcurrency,
      throttleRetryAfterSec: limits.concurrencyRetryAfterSec,
      mailboxPerMinute: limits.mailboxPerMinute,
      rateWindowMs: limits.rateWindowMs,
      recipientsPerDay: limits.recipientsPerDay,
      recipientWindowMs: limits.recipientWindowMs,
    });
    cleanups.unshift(() => sim.close());
    const ctx: RunContext = {
      sim,
      proxy,
      direct: { kind: 'connection-string', connectionString: azurite.connectionString },
      proxiedConnectionString: azuriteConnectionString(proxy.ports),
      baseEnv: cleanEnv(),
      hrCourierEnv: {
        HR_COURIER_ALLOWED_SENDERS: mailboxes.join(','),
        HR_COURIER_TIME_SCALE: String(limits.timeScale),
        HR_COURIER_APP_CONCURRENCY: String(limits.hrCourierAppConcurrency),
        HR_COURIER_MAILBOX_CONCURRENCY: String(limits.hrCourierMailboxConcurrency),
        HR_COURIER_ON_UNKNOWN: 'hold',
      },
      commands: {
        'hr-courier': [join(root, 'bin', 'hr-courier.js'), 'worker', '--drain', '--json'],
        naive: [fileURLToPath(new URL('./naive-worker.js', import.meta.url)), '--drain'],
      },
      cwd: work,
      latencyMs: limits.latencyMs,
      runTimeoutMs: options.runTimeoutSec * 1000,
      progress: say,
    };
    const scenarios: ScenarioResult[] = [];
    for (const spec of scenarioSpecs(options).filter((s) => options.scenarios.includes(s.id))) {
      const messages = benchMessages({ count: spec.messages, mailboxes, samples, prefix: spec.id });
      const result: ScenarioResult = {
        id: spec.id,
        title: spec.title,
        description: spec.description,
        messages: spec.messages,
        workers: spec.workers,
        runs: {},
      };
      if (spec.ideal) {
        result.idealMs = idealDrainMs({
          perMailbox: mailboxes.map((box) => messages.filter((m) => m.sender === box).length),
          appConcurrency: limits.appConcurrency,
          mailboxConcurrency: limits.mailboxConcurrency,
          latencyMs: limits.latencyMs,
          ratePerWindow: limits.mailboxPerMinute,
          rateWindowMs: limits.rateWindowMs,
        });
      }
      for (const impl of IMPLS) {
        say(
          `${spec.title}: ${impl} (${spec.workers} worker${spec.workers > 1 ? 's' : ''}, ${spec.messages} messages)…`,
        );
        const runResult = await runScenario(ctx, spec, impl, messages);
        result.runs[impl] = runResult;
        say(
          `  ${runResult.completed ? 'drained' : 'NOT drained'} in ${(runResult.drainMs / 1000).toFixed(1)} s: ` +
            `${runResult.delivered} delivered, ${runResult.duplicates} duplicate sends, ${runResult.graphCalls} Graph calls`,
        );
        if (runResult.problem) say(`  problem: ${runResult.problem}`);
      }
      scenarios.push(result);
    }
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: commandLine(argv),
      machine,
      options,
      limits,
      scenarios,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  const machine = machineInfo();
  say(`Machine: ${describeMachine(machine)}`);
  const results = await run(argv, options, machine);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const jsonPath = join(outDir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(outDir, 'latest.md'), formatMarkdown(results));
  process.stdout.write(`\n${formatText(results)}`);
  say(`\nResults: ${jsonPath} and ${join(outDir, 'latest.md')}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
