import { describe, expect, it } from 'vitest';
import type { QueueConsumer } from '../../src/ports/queue.js';
import { createWorker } from '../../src/worker/worker.js';
import { createFakeQueue } from '../fakes/queue.js';
import { createRecordingLogger } from './recording-logger.js';
import { createSteppedClock } from './stepped-clock.js';
import { deferred, finish, isSettled, settings, setup } from './worker-harness.js';

describe('the local worker, stopping', () => {
  it('on stop, gives back fetched-but-unstarted messages at once and waits for the one in flight', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const stop = new AbortController();
    const clock = createSteppedClock();
    const queue = createFakeQueue({ name: 'hr-mail', clock });
    let stopDuringReceive = false;
    // Our own port, wrapped: the stop arrives while a receive is on the wire.
    const consumer: QueueConsumer = {
      ...queue,
      name: queue.name,
      receive: async (max, vt) => {
        const got = await queue.receive(max, vt);
        if (stopDuringReceive) stop.abort();
        return got;
      },
    };
    const worker = createWorker({
      consumer,
      poison: createFakeQueue({ name: 'hr-mail-poison', clock }),
      settings: { ...settings, batchSize: 2, newBatchThreshold: 1 },
      clock,
      log: createRecordingLogger(),
      handler: async (message) => {
        started.push(message.text);
        const gate = deferred();
        gates.set(message.text, gate);
        await gate.promise;
      },
    });
    for (const n of [1, 2, 3, 4, 5]) await queue.send(String(n));
    const run = worker.run({ drain: false, signal: stop.signal });
    await clock.settle();
    expect(started).toEqual(['1', '2']);

    stopDuringReceive = true;
    gates.get('1')?.resolve();
    await clock.advance(5000);
    expect(started).toEqual(['1', '2']);
    const byText = new Map(queue.entries().map((e) => [e.text, e]));
    // 3 and 4 were fetched as the stop came: handed back, visible now. 5 was never fetched.
    for (const text of ['3', '4']) {
      expect(byText.get(text)?.dequeueCount).toBe(1);
      expect(byText.get(text)?.visibleAt).toBeLessThanOrEqual(clock.now());
    }
    expect(byText.get('5')?.dequeueCount).toBe(0);
    expect(byText.get('2')?.visibleAt).toBeGreaterThan(clock.now());
    expect(await isSettled(clock, run)).toBe(false);

    gates.get('2')?.resolve();
    const summary = await finish(clock, run);
    expect(summary).toMatchObject({ succeeded: 2, released: 2, stoppedBy: 'signal', remaining: 3 });
    expect(queue.visibleCount()).toBe(3);
  });

  it('after the grace period aborts the handlers and releases their messages: not failed, never poisoned', async () => {
    const stop = new AbortController();
    let sawAbort = false;
    const { clock, queue, poison, worker } = setup({
      settings: { ...settings, maxDequeueCount: 1 },
      handler: (_message, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('aborted'));
          });
        }),
    });
    await queue.send('{"long":true}');
    const run = worker.run({ drain: false, signal: stop.signal, graceMs: 20_000 });
    await clock.settle();
    stop.abort();
    await clock.advance(19_000);
    expect(sawAbort).toBe(false);
    const summary = await finish(clock, run);
    expect(sawAbort).toBe(true);
    expect(summary).toMatchObject({ released: 1, failed: 0, poisoned: 0, abandoned: 0 });
    expect(poison.texts()).toEqual([]);
    expect(queue.visibleCount()).toBe(1);
  });

  it('gives up a drain after maxWaitMs and says how many messages remain', async () => {
    const { clock, queue, worker } = setup({ handler: () => Promise.resolve() });
    await queue.send('{"later":true}', { visibilityDelaySec: 3600 });
    const startedAt = clock.now();
    const summary = await finish(
      clock,
      worker.run({ drain: true, signal: new AbortController().signal, maxWaitMs: 60_000 }),
    );
    expect(summary).toMatchObject({ stoppedBy: 'maxWait', remaining: 1, processed: 0 });
    expect(clock.now() - startedAt).toBeLessThan(3600_000);
  });
});
