import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import type { AttemptRecord, IndexKind, Ledger, MailRecord } from '../ports/ledger.js';
import { composeLedger } from '../runtime/compose.js';
import { cliEnvironment } from './environment.js';
import { table, UsageError, type Io } from './io.js';

export interface TraceStory {
  businessId: string;
  records: (MailRecord & { attemptRows: AttemptRecord[] })[];
}

/** The ledger's story of a message: one partition read, filtered to a key when asked. */
export async function traceStory(
  ledger: Ledger,
  query: { businessId?: string; kind?: IndexKind; id?: string },
): Promise<TraceStory | undefined> {
  let businessId = query.businessId;
  let key: string | undefined;
  if (query.kind && query.id) {
    const hit = await ledger.lookup(query.kind, query.id);
    if (!hit) return undefined;
    businessId = hit.businessId;
    key = hit.key;
  }
  if (businessId === undefined) return undefined;
  const history = await ledger.history(businessId);
  const records = history.records
    .filter((r) => key === undefined || r.key === key || r.key.startsWith(`${key}!`))
    .map((r) => ({ ...r, attemptRows: history.attempts.filter((a) => a.key === r.key) }));
  return { businessId, records };
}

function printStory(story: TraceStory, io: Io): void {
  for (const r of story.records) {
    io.out(`${r.businessId} / ${r.key}  (${r.keySource} key)`);
    io.out(`  state       ${r.state}${r.state === 'sent' && r.sentAt ? ` at ${r.sentAt}` : ''}`);
    if (r.reason) {
      io.out(`  reason      ${r.reason.code}: ${r.reason.detail}`);
      if (r.reason.fieldPaths?.length) io.out(`  fields      ${r.reason.fieldPaths.join(', ')}`);
    }
    if (r.sender) io.out(`  sender      ${r.sender}`);
    if (r.template)
      io.out(`  template    ${r.template} v${r.templateVersion ?? '?'} (intent ${r.intent ?? '?'})`);
    io.out(
      `  recipients  ${r.recipientCount} (${r.recipientDomains.join(', ') || '-'}), attachments ${r.attachmentCount}`,
    );
    io.out(
      `  seen        first ${r.firstSeen}, last ${r.lastSeen}; ${r.deliveries} deliveries, ${r.deferrals} deferrals`,
    );
    if (r.poisonedAt) io.out(`  poisoned    ${r.poisonedAt} (original bytes in the poison queue)`);
    if (r.unknownSince)
      io.out(`  unknown     since ${r.unknownSince}; ${r.verifications} look-ups in the sender's mailbox`);
    if (r.heldAt && r.state === 'unknown') {
      io.out(
        `  held        ${r.heldAt} (original bytes in the held queue: hr-courier resolve ${r.key} --sent|--resend)`,
      );
    }
    if (r.resolution) {
      io.out(
        `  resolved    ${r.resolution.decision} by ${r.resolution.by} at ${r.resolution.at}: ${r.resolution.reason}`,
      );
    }
    if (r.lastError) io.out(`  last error  ${r.lastError} (the invocation failed and was retried)`);
    if (r.nextAttemptAt && r.state === 'deferred') {
      io.out(`  next try    ${r.nextAttemptAt}${r.deferredFor ? ` (deferred: ${r.deferredFor})` : ''}`);
    }
    if (r.correlationId) io.out(`  correlation ${r.correlationId}`);
    if (r.attemptRows.length > 0) {
      io.out('  Graph attempts:');
      const rows = r.attemptRows.map((a) => [
        String(a.n),
        a.startedAt,
        a.status === undefined ? '-' : String(a.status),
        a.outcome,
        a.graphCode ?? a.code ?? '',
        a.clientRequestId,
        a.requestId ?? '-',
        a.date ?? '-',
      ]);
      for (const line of table(
        ['#', 'started', 'status', 'outcome', 'code', 'client-request-id', 'request-id', 'Date'],
        rows,
      )) {
        io.out(`    ${line}`);
      }
    }
    io.out('');
  }
}

export async function runTrace(
  businessId: string | undefined,
  options: { key?: string; clientRequestId?: string; requestId?: string; json: boolean },
  io: Io,
): Promise<number> {
  const by: [IndexKind, string | undefined][] = [
    ['key', options.key],
    ['client-request-id', options.clientRequestId],
    ['request-id', options.requestId],
  ];
  const chosen = by.filter(([, v]) => v !== undefined);
  if ((businessId === undefined) === (chosen.length === 0) || chosen.length > 1) {
    throw new UsageError('give a businessId, or exactly one of --key, --client-request-id, --request-id');
  }
  const settings = loadSettings(cliEnvironment());
  const ledger = composeLedger(settings);
  const [kind, id] = chosen[0] ?? [undefined, undefined];
  const story = await traceStory(ledger, {
    ...(businessId ? { businessId } : {}),
    ...(kind && id ? { kind, id } : {}),
  });
  if (!story || story.records.length === 0) {
    if (options.json) io.out(JSON.stringify({ found: false }));
    else io.err('Nothing in the ledger for that. (Messages are recorded when the worker first sees them.)');
    return 1;
  }
  if (options.json) io.out(JSON.stringify({ found: true, ...story }, null, 2));
  else printStory(story, io);
  return 0;
}

export function registerTraceCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('trace')
    .description('Tell the ledger\'s story of a message: "did the offer go?", answered with Graph\'s ids.')
    .argument('[businessId]', 'everything recorded for this businessId (e.g. CAND-12345)')
    .option('--key <key>', 'find by idempotency key')
    .option('--client-request-id <id>', 'find by the client-request-id hr-courier sent to Graph')
    .option('--request-id <id>', "find by Graph's request-id (as in a Microsoft support case)")
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      "\nShows each key's state (sent, failed, deferred, unknown, expired…), why, and every Graph attempt with\n" +
        'its client-request-id, request-id and Date — the three ids Microsoft support asks for. Exit 1 if nothing is found.',
    )
    .action(
      async (
        businessId: string | undefined,
        opts: { key?: string; clientRequestId?: string; requestId?: string; json?: boolean },
      ) => {
        setExit(await runTrace(businessId, { ...opts, json: opts.json === true }, io));
      },
    );
}
