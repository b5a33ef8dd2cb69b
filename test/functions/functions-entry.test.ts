import { QueueClient } from '@azure/storage-queue';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SENDERS } from '../../src/cli/samples.js';
import { startAzurite, type AzuriteHandle } from '../../src/dev/azurite.js';
import { startTestSimulator, type TestSimulator } from '../sim/support/graph.js';
import { REPO } from '../support/run-cli.js';
import { HOST_DRIVER } from './host-driver.js';

const STAND_IN = fileURLToPath(new URL('./stand-in', import.meta.url));

interface HostRun {
  code: number | null;
  stderr: string;
  output?: {
    registrations: { name: string; bindings: Record<string, Record<string, unknown>> }[];
    results: { ok: boolean; error?: string }[];
  };
}

/** Loads the built entry point in a fresh process with the stand-in host module, and invokes it. */
function runUnderStandInHost(env: NodeJS.ProcessEnv, invocations: { text: string; dequeueCount: number }[]) {
  return new Promise<HostRun>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', HOST_DRIVER], {
      env: { ...env, NODE_PATH: STAND_IN, REPO_ROOT: REPO, INVOCATIONS: JSON.stringify(invocations) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      resolve({
        code,
        stderr,
        ...(line.startsWith('{') ? { output: JSON.parse(line) as HostRun['output'] } : {}),
      });
    });
  });
}

// docs/architecture.md §9: the host cannot run here, so the BUILT entry point (package.json `main`) is loaded
// the way the host loads it, through a stand-in @azure/functions-core, and invoked the way it invokes.
describe('the Functions entry point, under a stand-in host', () => {
  let azurite: AzuriteHandle;
  let sim: TestSimulator;
  let env: NodeJS.ProcessEnv;
  const offer = { text: '', key: '' };

  beforeAll(async () => {
    azurite = await startAzurite();
    sim = await startTestSimulator({ mailboxes: [...SAMPLE_SENDERS] });
    env = {
      ...process.env,
      ...sim.sim.env(),
      AzureWebJobsStorage: azurite.connectionString,
      HR_COURIER_QUEUE: 'hr-mail',
      HR_COURIER_ALLOWED_SENDERS: SAMPLE_SENDERS.join(','),
    };
    const sample = JSON.parse(
      await readFile(new URL('../../samples/offer-letter.json', import.meta.url), 'utf8'),
    ) as {
      idempotencyKey: string;
    };
    offer.text = JSON.stringify(sample);
    offer.key = sample.idempotencyKey;
  });

  afterAll(async () => {
    await sim.stop();
    await azurite.stop();
  });

  it('registers one queue trigger on %HR_COURIER_QUEUE% with the AzureWebJobsStorage connection, as bytes', async () => {
    const run = await runUnderStandInHost(env, []);
    expect(run.code, run.stderr).toBe(0);
    expect(run.output?.registrations).toHaveLength(1);
    const [fn] = run.output?.registrations ?? [];
    expect(fn?.name).toBe('deliver');
    const bindings = Object.values(fn?.bindings ?? {});
    expect(bindings).toHaveLength(1);
    expect(bindings[0]).toMatchObject({
      type: 'queueTrigger',
      direction: 'in',
      queueName: '%HR_COURIER_QUEUE%',
      connection: 'AzureWebJobsStorage',
      dataType: 'binary',
    });
  });

  it('delivers a message invoked the way the host invokes it — once, however often it is redelivered', async () => {
    const run = await runUnderStandInHost(env, [
      { text: offer.text, dequeueCount: 1 },
      { text: offer.text, dequeueCount: 2 },
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.output?.results).toEqual([
      { ok: true, logs: expect.any(Array) as unknown },
      { ok: true, logs: expect.any(Array) as unknown },
    ]);
    expect(sim.sim.stats().sendsByKey[offer.key]).toBe(1);
  });

  it('acks bad input after putting its exact bytes in the poison queue', async () => {
    const run = await runUnderStandInHost(env, [{ text: 'Dear Ada, this is not JSON', dequeueCount: 1 }]);
    expect(run.output?.results[0]?.ok).toBe(true);
    const poison = new QueueClient(azurite.connectionString, 'hr-mail-poison');
    const got = await poison.receiveMessages({ numberOfMessages: 32 });
    expect(got.receivedMessageItems.map((m) => m.messageText)).toContain('Dear Ada, this is not JSON');
  });

  it('refuses to start with a bad setting, in one line naming it', async () => {
    const { HR_COURIER_ALLOWED_SENDERS: _omitted, ...withoutSenders } = env;
    const run = await runUnderStandInHost(withoutSenders, []);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/ConfigError: HR_COURIER_ALLOWED_SENDERS: is required/);
  });
});
