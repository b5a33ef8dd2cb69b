import { describe, expect, it } from 'vitest';
import type { QueueConsumer } from '../../src/ports/queue.js';
import { createWorker } from '../../src/worker/worker.js';
import { createFakeQueue } from '../fakes/queue.js';
import { createRecordingLogger } from './recording-logger.js';
import { createSteppedClock } from './stepped-clock.js';
import { deferred, finish, isSettled, settings, setup } from './worker-harness.js';

describe('the local worker', () => {
  it('never runs more than batchSize + newBatchThreshold handlers at once, and completes them all', async () => {
    let running = 0;
    let peak = 0;
    const { clock, queue, worker } = setup({
      handler: async (message) => {
        running += 1;
        peak = Math.max(peak, running);
        await clock.sleep(1000 + (Number(JSON.parse(message.text)) % 5) * 700);
        running -= 1;
      },
    });
    for (let i = 0; i < 20; i++) await queue.send(String(i));
    const summary = await finish(
      clock,
      worker.run({ drain: true, signal: new AbortController().signal }),
      250,
    );
    expect(peak).toBe(6);
    expect(summary).toMatchObject({
      processed: 20,
      succeeded: 20,
      failed: 0,
      stoppedBy: 'drained',
      remaining: 0,
    });
    expect(await queue.approximateCount()).toBe(0);
  });

  it('retries a failed message after visibilityTimeout, and a drain waits while it is invisible', async () => {
    const attempts: { at: number; dequeueCount: number }[] = [];
    const { clock, queue, log, worker } = setup({
      handler: (message) => {
        attempts.push({ at: clock.now(), dequeueCount: message.dequeueCount });
        if (attempts.length === 1)
          return Promise.reject(Object.assign(new Error('to ada@example.org'), { code: 'Transient' }));
        return Promise.resolve();
      },
    });
    await queue.send('{"to":"ada@example.org"}');
    const run = worker.run({ drain: true, signal: new AbortController().signal });
    await clock.advance(44_000);
    expect(attempts).toHaveLength(1);
    expect(queue.visibleCount()).toBe(0);
    expect(await isSettled(clock, run)).toBe(false);

    const summary = await finish(clock, run);
    expect(attempts.map((a) => a.dequeueCount)).toEqual([1, 2]);
    const gap = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(45_000);
    expect(gap).toBeLessThanOrEqual(45_000 + settings.maxPollingIntervalMs);
    expect(summary).toMatchObject({
      processed: 2,
      succeeded: 1,
      failed: 1,
      poisoned: 0,
      stoppedBy: 'drained',
    });

    const failure = log.entries.find((e) => e.message === 'queue message failed');
    expect(failure?.properties).toMatchObject({
      dequeueCount: 1,
      errorName: 'Error',
      errorCode: 'Transient',
    });
    expect(failure?.properties.messageId).toEqual(expect.any(String));
    expect(JSON.stringify(log.entries)).not.toContain('ada@example.org');
  });

  it('moves a message to the poison queue, text unchanged, on its maxDequeueCount-th failure', async () => {
    const text = '{"to":"zoë@example.org","data":{"note":"ünïcødé ✓"}}';
    const seen: number[] = [];
    const { clock, queue, poison, log, worker } = setup({
      settings: { ...settings, maxDequeueCount: 3 },
      handler: (message) => {
        seen.push(message.dequeueCount);
        return Promise.reject(new TypeError('cannot render for zoë@example.org'));
      },
    });
    await queue.send(text);
    const summary = await finish(clock, worker.run({ drain: true, signal: new AbortController().signal }));
    expect(seen).toEqual([1, 2, 3]);
    expect(poison.texts()).toEqual([text]);
    expect(await queue.approximateCount()).toBe(0);
    expect(summary).toMatchObject({ failed: 3, poisoned: 1, succeeded: 0 });
    expect(JSON.stringify(log.entries)).not.toContain('zoë');
  });

  it('poisons without running the handler a message already past maxDequeueCount (its last run crashed)', async () => {
    let runs = 0;
    const { clock, queue, poison, worker } = setup({
      settings: { ...settings, maxDequeueCount: 2 },
      handler: () => {
        runs += 1;
        return Promise.resolve();
      },
    });
    await queue.send('{"crashed":true}');
    for (let i = 0; i < 2; i++) {
      await queue.receive(1, 1);
      await clock.advance(1000);
    }
    const summary = await finish(clock, worker.run({ drain: true, signal: new AbortController().signal }));
    expect(runs).toBe(0);
    expect(poison.texts()).toEqual(['{"crashed":true}']);
    expect(summary).toMatchObject({ poisoned: 1, processed: 0 });
  });

  it('keeps a slow message invisible by renewing its lease, through a failed renewal, then deletes it', async () => {
    const gate = deferred();
    let started = 0;
    const { clock, queue, worker } = setup({
      leaseSec: 60,
      handler: async () => {
        started += 1;
        await gate.promise;
      },
    });
    await queue.send('{"slow":true}');
    const run = worker.run({ drain: true, signal: new AbortController().signal });
    await clock.advance(29_000);
    queue.failNext('release', 'ServerBusy', 503);
    for (let minute = 0; minute < 10; minute++) {
      await clock.advance(60_000);
      expect(queue.visibleCount()).toBe(0);
      expect(queue.entries()[0]?.visibleAt).toBeGreaterThan(clock.now());
    }
    expect(started).toBe(1);
    gate.resolve();
    const summary = await finish(clock, run);
    expect(summary).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await queue.approximateCount()).toBe(0);
  });

  it('backs off on an empty queue up to maxPollingInterval, and picks up new work within it', async () => {
    const clock = createSteppedClock();
    const queue = createFakeQueue({ name: 'hr-mail', clock });
    let receives = 0;
    const consumer: QueueConsumer = {
      ...queue,
      name: queue.name,
      receive: (max, vt) => {
        receives += 1;
        return queue.receive(max, vt);
      },
    };
    const handled: number[] = [];
    const stop = new AbortController();
    const worker = createWorker({
      consumer,
      poison: createFakeQueue({ name: 'hr-mail-poison', clock }),
      settings,
      clock,
      log: createRecordingLogger(),
      handler: () => {
        handled.push(clock.now());
        return Promise.resolve();
      },
    });
    const run = worker.run({ drain: false, signal: stop.signal });
    await clock.advance(300_000);
    // 100 ms doubling to 10 s takes 7 polls; then one every 10 s.
    expect(receives).toBeGreaterThanOrEqual(30);
    expect(receives).toBeLessThanOrEqual(40);

    const sentAt = clock.now();
    await queue.send('{"n":1}');
    await clock.advance(settings.maxPollingIntervalMs);
    expect(handled).toHaveLength(1);
    expect((handled[0] ?? Infinity) - sentAt).toBeLessThanOrEqual(settings.maxPollingIntervalMs);
    stop.abort();
    expect(await finish(clock, run)).toMatchObject({ succeeded: 1, stoppedBy: 'signal' });
  });

  it('aborts a handler that outlives functionTimeout and counts it as a failed attempt', async () => {
    const { clock, queue, worker } = setup({
      settings: { ...settings, functionTimeoutMs: 60_000 },
      handler: (message, signal) =>
        message.dequeueCount > 1
          ? Promise.resolve()
          : new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => {
                reject(new Error('timed out'));
              });
            }),
    });
    await queue.send('{"hangs":"once"}');
    const summary = await finish(clock, worker.run({ drain: true, signal: new AbortController().signal }));
    expect(summary).toMatchObject({ failed: 1, succeeded: 1, released: 0 });
  });
});
