/**
 * Runs inside a spawned Node process that has NODE_PATH → test/functions/stand-in: loads the BUILT entry
 * point named by package.json `main`, then invokes the registered function as the host would
 * (programming model → invocation model → getArguments → invokeFunction). Prints one JSON line.
 * Kept as a string so the child runs plain JavaScript without a TypeScript loader.
 */
export const HOST_DRIVER = String.raw`
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = process.env.REPO_ROOT;
const require = createRequire(resolve(repo, 'package.json'));
const core = require('@azure/functions-core');
const main = JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')).main;
await import(pathToFileURL(resolve(repo, main)).href);

const registrations = core.registered.map((r) => r.metadata);
const results = [];
for (const [i, invocation] of JSON.parse(process.env.INVOCATIONS ?? '[]').entries()) {
  const fn = core.registered[0];
  const triggerName = Object.keys(fn.metadata.bindings)[0];
  const logs = [];
  const model = core.getProgrammingModel().getInvocationModel({
    invocationId: 'inv-' + i,
    metadata: fn.metadata,
    request: {
      invocationId: 'inv-' + i,
      inputData: [{ name: triggerName, data: { bytes: Buffer.from(invocation.text, 'utf8') } }],
      triggerMetadata: {
        DequeueCount: { json: String(invocation.dequeueCount) },
        Id: { string: 'msg-' + i },
      },
    },
    log: (level, category, message) => logs.push({ level, category, message }),
  });
  try {
    const { context, inputs } = await model.getArguments();
    await model.invokeFunction(context, inputs, fn.callback);
    results.push({ ok: true, logs });
  } catch (e) {
    results.push({ ok: false, error: String(e && e.message), logs });
  }
}
process.stdout.write(JSON.stringify({ registrations, results }) + '\n');
process.exit(0);
`;
