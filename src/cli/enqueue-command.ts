import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { decodeMessage } from '../core/decode.js';
import { keyOf } from '../core/idempotency.js';
import { isPermanentDeliveryError } from '../domain/failure.js';
import { composeQueueWriter, composeTemplates } from '../runtime/compose.js';
import { cliEnvironment } from './environment.js';
import { UsageError, type Io } from './io.js';

interface Checked {
  source: string;
  text: string;
  key?: string;
  businessId?: string;
  problems: string[];
}

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file holds one message (an object) or several (an array of objects). */
function splitMessages(source: string, content: string): { source: string; text: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return [{ source, text: content }];
  }
  if (Array.isArray(parsed))
    return parsed.map((m, i) => ({ source: `${source}[${i}]`, text: JSON.stringify(m) }));
  // Sent compact: pretty-printed CRLF text does not survive the queue's XML round trip intact.
  return [{ source, text: JSON.stringify(parsed) }];
}

export async function runEnqueue(
  files: string[],
  options: { dryRun: boolean; raw: boolean; json: boolean },
  io: Io,
): Promise<number> {
  if (files.length === 0) throw new UsageError('enqueue needs at least one file, or - for standard input');
  const settings = loadSettings(cliEnvironment());
  const inputs = (
    await Promise.all(
      files.map(async (f) => {
        const content = await readInput(f);
        return options.raw ? [{ source: f, text: content }] : splitMessages(f, content);
      }),
    )
  ).flat();
  const catalog = options.raw ? undefined : await composeTemplates(settings.templatesDir);
  const allowed = new Set(settings.allowedSenders);
  const checked: Checked[] = inputs.map(({ source, text }) => {
    if (options.raw) return { source, text, problems: [] };
    const d = decodeMessage(text);
    if (!d.ok) {
      const problems =
        d.issues.length > 0 ? d.issues.map((i) => `${i.path}: ${i.reason}`) : [d.reason.detail];
      return { source, text, problems: problems.map((p) => `${d.reason.code} ${p}`) };
    }
    const c: Checked = {
      source,
      text,
      key: keyOf(d.message).key,
      businessId: d.message.businessId,
      problems: [],
    };
    if (!allowed.has(d.message.sender.toLowerCase())) {
      c.problems.push(`PolicyDenied sender: ${d.message.sender} is not in HR_COURIER_ALLOWED_SENDERS`);
    }
    try {
      catalog?.render({
        template: d.message.template,
        data: d.message.data,
        ...(d.message.templateVersion ? { version: d.message.templateVersion } : {}),
      });
    } catch (e) {
      if (!isPermanentDeliveryError(e)) throw e;
      c.problems.push(`${e.reason.code} ${e.reason.detail}`);
    }
    return c;
  });

  const bad = checked.filter((c) => c.problems.length > 0);
  for (const c of bad) for (const p of c.problems) io.err(`${c.source}: ${p}`);
  if (bad.length > 0) {
    io.err(`${bad.length} of ${checked.length} message(s) would be refused; nothing was enqueued.`);
    return 1;
  }
  const queue = composeQueueWriter(settings);
  for (const c of checked) {
    const result = options.dryRun ? undefined : await queue.send(c.text);
    const row = {
      source: c.source,
      key: c.key,
      businessId: c.businessId,
      queue: settings.queueName,
      messageId: result?.messageId,
      dryRun: options.dryRun,
    };
    io.out(
      options.json
        ? JSON.stringify(row)
        : `${options.dryRun ? 'valid' : 'enqueued'}  ${c.source}  key=${c.key ?? '(raw)'}`,
    );
  }
  return 0;
}

export function registerEnqueueCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('enqueue')
    .description(
      'Validate messages against contract v1 (and render their templates), then put them on the queue.',
    )
    .argument('<file...>', 'JSON files, each one message or an array of messages; - reads standard input')
    .option('--dry-run', 'validate only; enqueue nothing')
    .option('--raw', 'enqueue the text exactly as given, unvalidated (to exercise bad-input handling)')
    .option('--json', 'one JSON object per message on stdout')
    .addHelpText(
      'after',
      '\nAll messages are checked first; if any would be refused, none is enqueued and each problem is listed\n' +
        'as "<file>: <code> <field path>: <reason>". Prints each message\'s idempotency key (given or derived).\n' +
        'Example: npx hr-courier enqueue samples/offer-letter.json',
    )
    .action(async (files: string[], opts: { dryRun?: boolean; raw?: boolean; json?: boolean }) => {
      setExit(
        await runEnqueue(
          files,
          { dryRun: opts.dryRun === true, raw: opts.raw === true, json: opts.json === true },
          io,
        ),
      );
    });
}
