import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The environment the CLI runs with: `local.settings.json` Values (as Functions Core Tools reads them)
 * under the real environment, which wins. Only string values are taken.
 */
export function cliEnvironment(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const file = resolve(cwd, 'local.settings.json');
  const merged: Record<string, string | undefined> = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error('local.settings.json is not valid JSON');
    }
    const values = (parsed as { Values?: unknown }).Values;
    if (values && typeof values === 'object') {
      for (const [k, v] of Object.entries(values)) if (typeof v === 'string') merged[k] = v;
    }
  }
  return { ...merged, ...env };
}

/** The package root (where host.json, templates/ and samples/ live), wherever the CLI is run from. */
export const packageRoot = (): string => fileURLToPath(new URL('../..', import.meta.url));
