import { wrapWords } from './wrap.js';

/** Where a command writes: stdout for results (`--json` output stays parseable), stderr for the rest. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An error the user can act on: printed as one line, no stack, with an exit code. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A signal that aborts on the first SIGINT or SIGTERM; a second one exits at once. */
export function shutdownSignal(onFirst?: (signal: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(name);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * Left-aligned text table. With `maxWidth`, the last column wraps at spaces onto continuation lines
 * so that no line is wider (the other columns are assumed to be short: names, versions, codes).
 */
export function table(headers: string[], rows: string[][], options: { maxWidth?: number } = {}): string[] {
  const last = headers.length - 1;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const indent = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  if (options.maxWidth !== undefined) {
    widths[last] = Math.min(
      widths[last] ?? 0,
      Math.max(headers[last]?.length ?? 0, options.maxWidth - indent),
    );
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const wrapped = (row: string[]): string[] => {
    if (options.maxWidth === undefined) return [line(row)];
    const [first = '', ...more] = wrapWords(row[last] ?? '', Math.max(2, widths[last] ?? 2));
    return [line([...row.slice(0, last), first]), ...more.map((text) => ' '.repeat(indent) + text)];
  };
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap(wrapped)];
}
