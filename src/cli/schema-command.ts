import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { contractJsonSchemaText } from '../core/json-schema.js';
import { packageRoot } from './environment.js';
import type { Io } from './io.js';

export function registerSchemaCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('Print the JSON Schema of queue message contract v1 (generated from the validator).')
    .option('--write', 'write it to schema/hr-mail-message.v1.json')
    .option('--check', 'exit 1 if schema/hr-mail-message.v1.json differs from what the validator generates')
    .action(async (opts: { write?: boolean; check?: boolean }) => {
      const file = join(packageRoot(), 'schema', 'hr-mail-message.v1.json');
      const text = contractJsonSchemaText();
      if (opts.check) {
        const same = (await readFile(file, 'utf8').catch(() => '')) === text;
        io.err(
          same ? 'schema is up to date' : 'schema/hr-mail-message.v1.json is out of date: run npm run schema',
        );
        setExit(same ? 0 : 1);
      } else if (opts.write) {
        await writeFile(file, text);
        io.err(`wrote ${file}`);
      } else io.out(text.trimEnd());
    });
}
