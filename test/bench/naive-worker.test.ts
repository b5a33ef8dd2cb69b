import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '../../src/cli/samples.js';
import { startAzurite, type AzuriteHandle } from '../../src/dev/azurite.js';
import { benchMailboxes, benchMessages } from '../../src/bench/bench-input.js';
import { runNaiveWorker } from '../../src/bench/naive-worker.js';
import { startTestSimulator, type TestSimulator } from '../sim/support/graph.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the naive worker (the benchmark’s baseline)', () => {
  let azurite: AzuriteHandle;
  let t: TestSimulator;
  const mailboxes = benchMailboxes(2);

  beforeAll(async () => {
    azurite = await startAzurite();
    t = await startTestSimulator({ mailboxes });
    // ManagedIdentityCredential finds the simulator's endpoint the way it finds App Service's.
    process.env.IDENTITY_ENDPOINT = t.sim.identityEndpoint;
    process.env.IDENTITY_HEADER = t.sim.identityHeader;
  });
  afterAll(async () => {
    await t.stop();
    await azurite.stop();
  });

  it('sends every message, and sends again whatever Graph answered ambiguously after accepting it', async () => {
    const samples = (await readSamples()).map((s) => s.text);
    const messages = benchMessages({ count: 6, mailboxes, samples, prefix: 'smoke' });
    const [lostAnswer, gatewayTimeout] = messages;
    if (!lostAnswer || !gatewayTimeout) throw new Error('expected messages');
    const queue = new QueueClient(azurite.connectionString, 'naive-smoke');
    await queue.create();
    for (const m of messages) await queue.sendMessage(m.text);
    // A 500 after acceptance fails the invocation: the host runs the message again.
    t.sim.faults.add({
      match: { key: lostAnswer.key },
      times: 1,
      action: { kind: 'status', status: 500, code: 'ErrorInternalServerError', afterAccept: true },
    });
    // A 504 after acceptance is resent by the Graph SDK's own RetryHandler, inside the same call.
    t.sim.faults.add({
      match: { key: gatewayTimeout.key },
      times: 1,
      action: { kind: 'status', status: 504, code: 'GatewayTimeout', retryAfter: '1', afterAccept: true },
    });

    const summary = await runNaiveWorker({
      env: {
        AzureWebJobsStorage: azurite.connectionString,
        HR_COURIER_QUEUE: 'naive-smoke',
        GRAPH_BASE_URL: t.sim.baseUrl,
      },
      drain: true,
      signal: new AbortController().signal,
      maxWaitMs: 30_000,
      log: silent,
    });

    expect(summary.stoppedBy).toBe('drained');
    const sends = t.sim.stats().sendsByKey;
    expect(messages.map((m) => sends[m.key] ?? 0)).toEqual([2, 2, 1, 1, 1, 1]);
    expect(summary.poisoned).toBe(0);
  });
});
