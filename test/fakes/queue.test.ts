import { describe, expect, it } from 'vitest';
import { QueueStorageError } from '../../src/adapters/queues/queue-errors.js';
import { describeQueueContract } from '../contracts/queue.js';
import { createSteppedClock } from '../worker/stepped-clock.js';
import { createFakeQueue } from './queue.js';

describeQueueContract('in-memory fake', () => {
  const clock = createSteppedClock();
  const queue = createFakeQueue({ name: 'hr-mail', clock });
  return Promise.resolve({ writer: queue, consumer: queue, elapse: (ms) => clock.advance(ms) });
});

describe('the fake queue', () => {
  it('fails the next call of an operation once, with the storage error code asked for', async () => {
    const queue = createFakeQueue({ name: 'hr-mail', clock: createSteppedClock() });
    await queue.send('{}');
    queue.failNext('receive', 'ServerBusy', 503);
    const error = await queue.receive(1, 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueStorageError);
    expect((error as QueueStorageError).code).toBe('ServerBusy');
    expect(await queue.receive(1, 30)).toHaveLength(1);
    expect(queue.entries()[0]?.dequeueCount).toBe(1);
  });

  it('shows each message with its visibility so tests can see what is hidden', async () => {
    const clock = createSteppedClock();
    const queue = createFakeQueue({ name: 'hr-mail', clock });
    await queue.send('{"a":1}', { visibilityDelaySec: 10 });
    expect(queue.visibleCount()).toBe(0);
    expect(queue.entries()[0]?.visibleAt).toBe(clock.now() + 10_000);
    await clock.advance(10_000);
    expect(queue.visibleCount()).toBe(1);
    expect(queue.texts()).toEqual(['{"a":1}']);
  });
});
