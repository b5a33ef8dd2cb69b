import {
  IMPLS,
  type BenchLimits,
  type BenchResults,
  type Impl,
  type RunResult,
  type ScenarioResult,
} from './bench-types.js';
import { describeMachine } from './machine.js';

/** One line of a scenario table: a metric and its value for each implementation. */
export interface ReportRow {
  metric: string;
  values: Record<Impl, string>;
}

type Cell = (run: RunResult, scenario: ScenarioResult, limits: BenchLimits) => string;

const NA = 'n/a';
const num = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? NA
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const per = (n: number | undefined, d: number, digits = 2) =>
  n === undefined || d === 0 ? NA : num(n / d, digits);
const seconds = (ms: number | undefined) => (ms === undefined ? NA : `${num(ms / 1000, 1)} s`);
const mib = (bytes: number | undefined) => (bytes === undefined ? NA : `${num(bytes / 2 ** 20)} MiB`);

/** Delivered per second over the send window (first acceptance to last answer). */
export function deliveredPerSecond(run: RunResult): number | undefined {
  return run.sendWindowMs === undefined || run.sendWindowMs === 0
    ? undefined
    : run.delivered / (run.sendWindowMs / 1000);
}

/** The run's rate as a share of the ideal client's rate on the same input. */
export function shareOfIdeal(run: RunResult, scenario: ScenarioResult): number | undefined {
  const rate = deliveredPerSecond(run);
  if (rate === undefined || scenario.idealMs === undefined || scenario.idealMs === 0) return undefined;
  return rate / (scenario.messages / (scenario.idealMs / 1000));
}

const common = {
  drained: (r) => (r.completed ? 'yes' : 'NO (stopped at the time limit)'),
  delivered: (r) => `${num(r.delivered)} / ${num(r.messages)}`,
  drainTime: (r) => seconds(r.drainMs),
  perSecond: (r) => num(deliveredPerSecond(r), 1),
  callsPerDelivered: (r) => per(r.graphCalls, r.delivered),
  throttled: (r) => num(r.throttled),
  overRate: (r) => num(r.overRate),
  callsDuringPause: (r) => num(r.callsDuringPause),
  longestGap: (r) => seconds(r.longestGapMs),
  duplicates: (r) => (r.duplicates === 0 ? '0' : `${num(r.duplicates)} (${num(r.duplicateKeys)} keys)`),
} satisfies Record<string, Cell>;

const rowsByScenario: Record<string, [string, Cell][]> = {
  steady: [
    ['drained', common.drained],
    ['delivered (distinct keys)', common.delivered],
    ['drain time (worker start to exit)', common.drainTime],
    ['send window (first to last send)', (r) => seconds(r.sendWindowMs)],
    ['delivered/s over the send window', common.perSecond],
    [
      "share of the ideal client's rate",
      (r, s) => {
        const share = shareOfIdeal(r, s);
        return share === undefined ? NA : `${num(share * 100)} %`;
      },
    ],
    ['Graph calls per delivered message', common.callsPerDelivered],
    ['429s provoked', common.throttled],
    ['calls during Retry-After windows', common.callsDuringPause],
    ['sends over the mailbox rate (Exchange delays them)', common.overRate],
    ['duplicate sends', common.duplicates],
  ],
  storm: [
    ['drained', common.drained],
    ['delivered (distinct keys)', common.delivered],
    ['calls during Retry-After windows', common.callsDuringPause],
    ['429s received', common.throttled],
    ['longest time with no mail sent', common.longestGap],
    ['Graph calls per delivered message', common.callsPerDelivered],
    ['drain time (worker start to exit)', common.drainTime],
    ['duplicate sends', common.duplicates],
    ['poisoned', (r) => num(r.poisoned)],
  ],
  'scale-out': [
    ['drained', common.drained],
    ['worker processes', (r) => num(r.workers)],
    ['delivered (distinct keys)', common.delivered],
    ['poisoned', (r) => num(r.poisoned)],
    [
      'max Graph requests in flight, app-wide',
      (r, _s, l) =>
        `${num(r.maxInFlight)} (Graph allows ${l.appConcurrency}${r.impl === 'hr-courier' ? `, cap ${l.hrCourierAppConcurrency}` : ''})`,
    ],
    [
      'max in flight for one mailbox',
      (r, _s, l) =>
        `${num(r.maxInFlightPerMailbox)}${r.impl === 'hr-courier' ? ` (cap ${l.hrCourierMailboxConcurrency})` : ''}`,
    ],
    ['429s provoked', common.throttled],
    ['sends over the mailbox rate', common.overRate],
    ['delivered/s over the send window', common.perSecond],
    ['drain time (worker start to exit)', common.drainTime],
    ['duplicate sends', common.duplicates],
  ],
  chaos: [
    ['drained', common.drained],
    ['delivered (distinct keys)', common.delivered],
    ['duplicate sends', common.duplicates],
    ['lost (never sent, no recorded outcome)', (r) => num(r.ledger ? r.ledger.lost : r.neverSent)],
    [
      'held unknown (of which the mail went out)',
      (r) => (r.ledger ? `${num(r.ledger.unknown)} (${num(r.ledger.unknownButSent)})` : NA),
    ],
    [
      'failed, in poison with a reason',
      (r) => (r.ledger ? num(r.ledger.failed) : `${num(r.poisoned)} poisoned, no reason kept`),
    ],
    ['sent but not recorded in the ledger', (r) => (r.ledger ? num(r.ledger.unrecordedSends) : NA)],
    ['longest time with no mail sent', common.longestGap],
    ['drain time (worker start to exit)', common.drainTime],
  ],
  overhead: [
    ['storage requests per delivered message', (r) => per(r.storageRequests.total, r.delivered, 1)],
    [
      '  queue / table / blob',
      (r) =>
        [r.storageRequests.queue, r.storageRequests.table, r.storageRequests.blob]
          .map((n) => per(n, r.delivered, 1))
          .join(' / '),
    ],
    ['worker CPU ms per delivered message', (r) => per(r.cpuMs, r.delivered, 1)],
    ['peak RSS of a worker process', (r) => mib(r.peakRssBytes)],
    ['Graph calls per delivered message', common.callsPerDelivered],
  ],
};

/** The rows of one scenario's table (`overhead` is computed from the steady backlog's runs). */
export function scenarioRows(
  scenario: ScenarioResult,
  limits: BenchLimits,
  table = scenario.id,
): ReportRow[] {
  const rows = rowsByScenario[table] ?? [];
  return rows.map(([metric, cell]) => ({
    metric,
    values: Object.fromEntries(
      IMPLS.map((impl) => {
        const run = scenario.runs[impl];
        return [impl, run ? cell(run, scenario, limits) : 'not run'];
      }),
    ) as Record<Impl, string>,
  }));
}

export function markdownTable(rows: readonly ReportRow[]): string[] {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| metric | ${IMPLS.join(' | ')} |`,
    `| --- | ${IMPLS.map(() => '---:').join(' | ')} |`,
    ...rows.map((r) => `| ${esc(r.metric.trim())} | ${IMPLS.map((i) => esc(r.values[i])).join(' | ')} |`),
  ];
}

export function textTable(rows: readonly ReportRow[]): string[] {
  const header = ['', ...IMPLS];
  const lines = rows.map((r) => [r.metric, ...IMPLS.map((i) => r.values[i])]);
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
}

/** What the numbers mean: the scale, the limits, who runs how. */
export function preamble(results: BenchResults): string[] {
  const l = results.limits;
  const minuteSec = 60 / l.timeScale;
  return [
    `Machine: ${describeMachine(results.machine)}`,
    `Command: \`${results.command}\``,
    `Time scale ${l.timeScale}: 1 simulated minute = ${num(minuteSec, 1)} s (Exchange's ${l.mailboxPerMinute} mails per mailbox per minute ` +
      `become ${l.mailboxPerMinute} per ${num(minuteSec, 1)} s; the recipient day is ${num(l.recipientWindowMs / 3_600_000, 1)} h). ` +
      `Both sides use it: the simulator's windows and hr-courier's (HR_COURIER_TIME_SCALE). ` +
      `Graph latency (${l.latencyMs} ms per request) and Retry-After values are real time, not scaled.`,
    `Simulator: ${l.mailboxes} sender mailboxes; ${l.appConcurrency} concurrent requests per app and ${l.mailboxConcurrency} per mailbox ` +
      `(above: 429 ApplicationThrottled, Retry-After ${l.concurrencyRetryAfterSec} s); mail over the rate is accepted and counted, as Exchange delays it.`,
    `hr-courier: \`hr-courier worker --drain --json\` as shipped (host.json batch 4 + 2), HR_COURIER_APP_CONCURRENCY=${l.hrCourierAppConcurrency}, ` +
      `HR_COURIER_MAILBOX_CONCURRENCY=${l.hrCourierMailboxConcurrency}, HR_COURIER_ON_UNKNOWN=hold; fresh queue and ledger table per run.`,
    "naive: the same queue loop with the Functions host's defaults (16 + 8 in flight, retried at once, poison after 5 dequeues), " +
      "the same decoder and templates, and `Client.initWithMiddleware({ authProvider })` — the Graph SDK's default chain, whose " +
      'RetryHandler resends sendMail on 429/503/504. No ledger, no idempotency, no flow gate. The SDK cannot parse the ' +
      "simulator's empty 202 labelled JSON (as reported against Graph, msgraph-sdk-javascript#156); the naive worker counts " +
      'that error as sent, as a shipped sample would have to.',
    'Ideal client: never more requests in flight than the simulator serves, never more mail per mailbox per window than the rate, ' +
      'each request taking the latency, no storage and no start-up; its drain time for the same input is the denominator of ' +
      '"share of the ideal client\'s rate". A share above 100 % means limits were broken (see the over-rate row).',
    "Storage requests are counted by an HTTP proxy in front of Azurite; CPU is the kernel's account of the worker processes " +
      '(crashed ones included), read from /proc in the parent; peak RSS is VmHWM, sampled.',
  ];
}

function sections(results: BenchResults): { title: string; description: string; rows: ReportRow[] }[] {
  const out = results.scenarios.map((s) => ({
    title: s.title,
    description:
      s.description +
      (s.idealMs === undefined ? '' : `; the ideal client needs ${seconds(s.idealMs)} for this input`),
    rows: scenarioRows(s, results.limits),
  }));
  const steady = results.scenarios.find((s) => s.id === 'steady');
  if (steady) {
    out.push({
      title: 'Overhead',
      description: 'Measured on the steady-backlog runs',
      rows: scenarioRows(steady, results.limits, 'overhead'),
    });
  }
  return out;
}

/** The whole report as Markdown (for bench/results/latest.md and the README). */
export function formatMarkdown(results: BenchResults): string {
  const lines = ['# hr-courier benchmark', '', ...preamble(results).map((p) => `- ${p}`)];
  for (const s of sections(results)) {
    lines.push('', `## ${s.title}`, '', `${s.description}.`, '', ...markdownTable(s.rows));
  }
  return `${lines.join('\n')}\n`;
}

/** The whole report as plain text for the terminal. */
export function formatText(results: BenchResults): string {
  const lines = [...preamble(results)];
  for (const s of sections(results)) {
    lines.push('', `${s.title}: ${s.description}.`, ...textTable(s.rows));
  }
  return `${lines.join('\n')}\n`;
}
