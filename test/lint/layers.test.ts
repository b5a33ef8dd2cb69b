import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of eslint.config.js, run through ESLint's own API on synthetic files, so that
 * weakening a zone, or losing the resolver that makes them work at any depth, fails here rather than
 * letting a wrong import in unnoticed. The files need not exist: ESLint lints the text under the
 * path given, and resolves what it imports against the real tree. Type-aware rules are switched off
 * here: they need the file in the TypeScript project, and the layer rules need no types.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });
});

/** The rules that fired on `code` linted as the file at `filePath`, with any fatal parse error. */
async function rulesFired(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error('ESLint returned no result');
  const fatal = result.messages.find((m) => m.fatal === true);
  if (fatal) throw new Error(`${filePath} did not parse: ${fatal.message}`);
  return result.messages.map((m) => m.ruleId ?? '');
}

const LAYERS = 'import-x/no-restricted-paths';
const CYCLE = 'import-x/no-cycle';

describe('layer boundaries', () => {
  it.each([
    [
      'core, two folders deep, importing an adapter',
      'src/core/flow/deeper/x.ts',
      '../../../adapters/system/system-clock.js',
    ],
    ['core importing an adapter', 'src/core/flow/x.ts', '../../adapters/system/system-clock.js'],
    ['core importing the worker', 'src/core/x.ts', '../worker/worker-types.js'],
    ['ports importing core', 'src/ports/x.ts', '../core/classify.js'],
    ['domain importing ports', 'src/domain/x.ts', '../ports/clock.js'],
    ['the worker importing an adapter', 'src/worker/x.ts', '../adapters/queues/queue-errors.js'],
    ['an adapter importing the worker', 'src/adapters/queues/x.ts', '../../worker/worker-types.js'],
    ['an adapter importing a shell', 'src/adapters/storage/x.ts', '../../runtime/compose.js'],
    ['the simulator importing an adapter', 'src/sim/x.ts', '../adapters/system/system-clock.js'],
    ['a command importing an adapter', 'src/cli/x.ts', '../adapters/system/system-clock.js'],
    ['the composition root importing the simulator', 'src/runtime/x.ts', '../sim/index.js'],
  ])('refuses %s', async (_, filePath, specifier) => {
    expect(
      readFileSync(new URL(`../../${filePath}/../${specifier.replace(/\.js$/, '.ts')}`, import.meta.url)),
      `${specifier} must exist for this case to test anything`,
    ).toBeDefined();
    const fired = await rulesFired(filePath, `import * as m from '${specifier}';\nexport const used = m;\n`);
    expect(fired).toContain(LAYERS);
  });

  it('refuses a type-only import across a boundary too', async () => {
    const code = "import type { Runtime } from '../../runtime/compose.js';\nexport type R = Runtime;\n";
    expect(await rulesFired('src/core/flow/x.ts', code)).toContain(LAYERS);
  });

  it('accepts what the layers allow', async () => {
    const code = [
      "import type { Clock } from '../../ports/clock.js';",
      "import type { FailureReason } from '../../domain/failure.js';",
      'export type Both = [Clock, FailureReason];',
      '',
    ].join('\n');
    expect(await rulesFired('src/core/flow/x.ts', code)).toEqual([]);
  });
});

describe('import cycles', () => {
  it('refuses a module that imports one that imports it back', async () => {
    // src/sim/index.ts imports ./cert.js; cert.ts importing ./index.js back closes a two-file cycle.
    const index = readFileSync(new URL('../../src/sim/index.ts', import.meta.url), 'utf8');
    expect(index, 'the cycle below needs src/sim/index.ts to import ./cert.js').toMatch(
      /^import \{[^}]*\bensureCertificate\b[^}]*\} from '\.\/cert\.js';$/m,
    );
    const code = "import { startSimulator } from './index.js';\nexport const start = startSimulator;\n";
    expect(await rulesFired('src/sim/cert.ts', code)).toContain(CYCLE);
  });
});
