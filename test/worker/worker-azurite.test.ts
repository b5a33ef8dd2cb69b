import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueConsumer } from '../../src/adapters/queues/queue-consumer.js';
import { poisonQueueName } from '../../src/adapters/queues/queue-limits.js';
import { createQueueWriter } from '../../src/adapters/queues/queue-writer.js';
import { startAzurite, type AzuriteHandle } from '../../src/dev/azurite.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { createWorker } from '../../src/worker/worker.js';
import { createRecordingLogger } from './recording-logger.js';

describe('the local worker on a real queue (Azurite)', () => {
  let azurite: AzuriteHandle;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite.stop();
  });

  it('retries a flaky message until it succeeds and poisons a bad one with its original text', async () => {
    const queue = new QueueClient(azurite.connectionString, 'hr-mail');
    const poisonQueue = new QueueClient(azurite.connectionString, poisonQueueName('hr-mail'));
    const producer = createQueueWriter(queue);
    const flaky = JSON.stringify({ kind: 'flaky', to: 'ada@example.org' });
    const bad = JSON.stringify({ kind: 'bad', to: 'zoë@example.org', note: '<&>' });
    await producer.send(flaky);
    await producer.send(bad);

    const attempts: Record<string, number[]> = { flaky: [], bad: [] };
    const log = createRecordingLogger();
    const worker = createWorker({
      consumer: createQueueConsumer(queue),
      poison: createQueueWriter(poisonQueue),
      // Short timings so real time stays short; the host's own values are tested in host-settings.
      settings: {
        batchSize: 4,
        newBatchThreshold: 2,
        maxDequeueCount: 3,
        visibilityTimeoutSec: 1,
        maxPollingIntervalMs: 250,
        messageEncoding: 'none',
        functionTimeoutMs: undefined,
      },
      leaseSec: 10,
      clock: systemClock,
      log,
      handler: (message) => {
        const { kind } = JSON.parse(message.text) as { kind: 'flaky' | 'bad' };
        attempts[kind]?.push(message.dequeueCount);
        if (kind === 'bad' || message.dequeueCount < 3) {
          return Promise.reject(
            Object.assign(new Error(`failed for ${message.text}`), { code: 'Transient' }),
          );
        }
        return Promise.resolve();
      },
    });

    const summary = await worker.run({
      drain: true,
      signal: new AbortController().signal,
      maxWaitMs: 30_000,
    });

    expect(summary).toMatchObject({
      stoppedBy: 'drained',
      succeeded: 1,
      failed: 5,
      poisoned: 1,
      remaining: 0,
    });
    expect(attempts).toEqual({ flaky: [1, 2, 3], bad: [1, 2, 3] });
    const poisoned = await poisonQueue.receiveMessages({ numberOfMessages: 32 });
    expect(poisoned.receivedMessageItems.map((m) => m.messageText)).toEqual([bad]);
    // The host writes poison with no expiry; so do we.
    expect(poisoned.receivedMessageItems[0]?.expiresOn.getUTCFullYear()).toBeGreaterThanOrEqual(9999);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    const logged = JSON.stringify(log.entries);
    expect(logged).not.toContain('example.org');
    expect(logged).not.toContain('zoë');
  });
});
