import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { LIST_WIDTH, runRender } from '../../src/cli/render-command.js';

const TEMPLATES = fileURLToPath(new URL('../../templates', import.meta.url));

function capture(): Io & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

describe('render --list', () => {
  // The environment wins over a developer's local.settings.json: the shipped catalog, whatever is set.
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.HR_COURIER_TEMPLATES;
    process.env.HR_COURIER_TEMPLATES = TEMPLATES;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.HR_COURIER_TEMPLATES;
    else process.env.HR_COURIER_TEMPLATES = saved;
  });

  it('fits a 100-column terminal, every required field still listed', async () => {
    const io = capture();
    expect(await runRender(undefined, { format: 'html', list: true }, io)).toBe(0);

    const text = io.lines.join('\n');
    expect(io.lines.length).toBeGreaterThan(4);
    for (const line of io.lines) expect(line.length).toBeLessThanOrEqual(LIST_WIDTH);
    expect(LIST_WIDTH).toBe(100);
    expect(io.lines[0]).toMatch(/^template\s+version\s+intent\s+required data fields$/);
    expect(text).toMatch(/^offer-letter\s+2\s+offer\s+candidateName, /m);
    // A wrapped list goes on under its column, one field never split across lines.
    const column = io.lines[0]?.indexOf('required data fields') ?? -1;
    const continuation = io.lines.filter((l) => /^\s/.test(l));
    expect(continuation.length).toBeGreaterThan(0);
    for (const line of continuation) expect(line.search(/\S/)).toBe(column);
    const listed = text.replace(/\s+/g, ' ');
    for (const field of ['salary.currency', 'propertyReturnInstructions', 'contactEmail', 'eapUrl']) {
      expect(listed).toMatch(new RegExp(`\\b${field.replace('.', '\\.')}\\b`));
    }
  });

  it('gives the whole catalog, descriptions included, as JSON with --json', async () => {
    const io = capture();
    expect(await runRender(undefined, { format: 'html', list: true, json: true }, io)).toBe(0);

    const catalog = JSON.parse(io.lines.join('\n')) as {
      name: string;
      description: string;
      versions: string[];
      required: { name: string; description: string }[];
    }[];
    const offer = catalog.find((t) => t.name === 'offer-letter');
    expect(offer?.versions).toEqual(['1', '2']);
    expect(offer?.description.length).toBeGreaterThan(20);
    expect(offer?.required.map((f) => f.name)).toContain('salary.amount');
    expect(offer?.required.every((f) => f.description !== '')).toBe(true);
  });
});
