import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_TEMPLATES_DIR } from '../config/settings.js';
import { isPermanentDeliveryError } from '../domain/failure.js';
import { composeTemplates } from '../runtime/compose.js';
import { cliEnvironment } from './environment.js';
import { table, UsageError, type Io } from './io.js';

/** The widest line `render --list` prints: readable in a 100-column terminal without wrapping. */
export const LIST_WIDTH = 100;

export async function runRender(
  template: string | undefined,
  options: {
    data?: string;
    version?: string;
    out?: string;
    format: string;
    list: boolean;
    json?: boolean;
  },
  io: Io,
): Promise<number> {
  // Only the templates folder is needed: render works without storage or Graph settings.
  const dir = cliEnvironment().HR_COURIER_TEMPLATES?.trim() || DEFAULT_TEMPLATES_DIR;
  const catalog = await composeTemplates(dir);
  if (options.list || template === undefined) {
    if (options.json) {
      io.out(JSON.stringify(catalog.list(), null, 2));
      return 0;
    }
    const rows = catalog
      .list()
      .map((t) => [t.name, t.version, t.intent, t.required.map((f) => f.name).join(', ')]);
    const headers = ['template', 'version', 'intent', 'required data fields'];
    for (const line of table(headers, rows, { maxWidth: LIST_WIDTH })) io.out(line);
    return 0;
  }
  if (options.json) throw new UsageError('--json goes with --list; a rendered mail is --format json');
  const dataFile = options.data ?? join(dir, template, 'sample-data.json');
  let data: unknown;
  try {
    data = JSON.parse(await readFile(dataFile, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `--data ${dataFile}: ${e instanceof SyntaxError ? 'not valid JSON' : 'cannot be read'}`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`--data ${dataFile}: must hold a JSON object (the message's "data")`);
  }
  try {
    const mail = catalog.render({
      template,
      data: data as Record<string, unknown>,
      ...(options.version ? { version: options.version } : {}),
    });
    const output =
      options.format === 'text'
        ? mail.text
        : options.format === 'subject'
          ? mail.subject
          : options.format === 'json'
            ? JSON.stringify(mail, null, 2)
            : mail.html;
    if (options.out) {
      await writeFile(options.out, output);
      io.err(`${template} v${mail.version}: "${mail.subject}" → ${options.out}`);
    } else io.out(output);
    return 0;
  } catch (e) {
    if (!isPermanentDeliveryError(e)) throw e;
    io.err(`${e.reason.code}: ${e.reason.detail}`);
    return 1;
  }
}

export function registerRenderCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('render')
    .description('Preview a template: render it with data to HTML (or text, or the subject line).')
    .argument('[template]', 'template name, e.g. offer-letter (omit to list the catalog)')
    .option(
      '--data <file>',
      "JSON file with the message's data object (default: the template's sample-data.json)",
    )
    .option('--version <n>', "a pinned template version (default: the catalog's current one)")
    .option('--format <format>', 'html | text | subject | json', 'html')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--list', 'list the templates and their required data fields')
    .option('--json', 'with --list: the whole catalog as JSON (descriptions, versions, every field)')
    .addHelpText(
      'after',
      '\nErrors are the same ones a queued message would get (UnknownTemplate, MissingTemplateField,\n' +
        'InvalidTemplateData, UnsafeUrl), naming the field. Example:\n' +
        '  npx hr-courier render offer-letter --data templates/offer-letter/sample-data.json --out offer.html',
    )
    .action(
      async (
        template: string | undefined,
        opts: {
          data?: string;
          version?: string;
          out?: string;
          format: string;
          list?: boolean;
          json?: boolean;
        },
      ) => {
        if (!['html', 'text', 'subject', 'json'].includes(opts.format))
          throw new UsageError('--format must be html, text, subject or json');
        setExit(
          await runRender(template, { ...opts, list: opts.list === true, json: opts.json === true }, io),
        );
      },
    );
}
