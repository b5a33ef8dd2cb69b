import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from './environment.js';

/** The sender mailboxes the shipped samples use: what `dev` and `sim` create and allow by default. */
export const SAMPLE_SENDERS = [
  'offers@contoso.com',
  'policies@contoso.com',
  'onboarding@contoso.com',
  'hr-confidential@contoso.com',
] as const;

export interface Sample {
  file: string;
  text: string;
}

/** The sample queue messages shipped in samples/, one per template. */
export async function readSamples(dir = join(packageRoot(), 'samples')): Promise<Sample[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({ file: join(dir, f), text: await readFile(join(dir, f), 'utf8') })),
  );
}
