import { beforeEach, describe, expect, it } from 'vitest';
import { QueueMessageTooLargeError } from '../../src/adapters/queues/queue-errors.js';
import { QueueMessageGoneError, type QueueConsumer, type QueueWriter } from '../../src/ports/queue.js';

/** One queue, seen through both ports. Each test gets a fresh, empty queue. */
export interface QueueContractSubject {
  writer: QueueWriter;
  consumer: QueueConsumer;
  /** Lets time pass: the fake's clock moves; against a real queue, real time passes. */
  elapse(ms: number): Promise<void>;
}

async function expectGone(p: Promise<unknown>): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the operation should fail because the message is no longer ours').toBeDefined();
  expect(error).toBeInstanceOf(QueueMessageGoneError);
}

/**
 * The queue semantics hr-courier relies on, run against every implementation of the queue ports, so that
 * what the worker tests prove with the fake also holds for Azure Storage.
 */
export function describeQueueContract(name: string, factory: () => Promise<QueueContractSubject>): void {
  describe(`queue contract: ${name}`, () => {
    let q: QueueContractSubject;
    beforeEach(async () => {
      q = await factory();
    });

    it('delivers the text byte for byte, with its id, a first dequeue count and the insertion time', async () => {
      const text = JSON.stringify({ name: 'Zoë <&> "quoted" \'single\'', note: 'ünïcødé 😀', n: 1 });
      const { messageId } = await q.writer.send(text);
      const [got, ...more] = await q.consumer.receive(32, 30);
      expect(more).toHaveLength(0);
      expect(got?.text).toBe(text);
      expect(got?.id).toBe(messageId);
      expect(got?.dequeueCount).toBe(1);
      expect(got?.insertedOn).toBeInstanceOf(Date);
    });

    it('keeps a received message hidden until its visibility lapses, then hands it out again', async () => {
      await q.writer.send('{"n":1}');
      const [first] = await q.consumer.receive(1, 2);
      expect(await q.consumer.receive(1, 2)).toHaveLength(0);
      await q.elapse(2200);
      const [again] = await q.consumer.receive(1, 30);
      expect(again?.id).toBe(first?.id);
      expect(again?.dequeueCount).toBe(2);
      expect(again?.popReceipt).not.toBe(first?.popReceipt);
      // The first receiver lost the message: its receipt is stale, its delete must not succeed.
      if (!first || !again) throw new Error('expected the message twice');
      await expectGone(q.consumer.delete(first));
      await q.consumer.delete(again);
      expect(await q.consumer.approximateCount()).toBe(0);
    });

    it('release(0) makes the message visible now, under a new receipt that replaces the old one', async () => {
      await q.writer.send('{"n":2}');
      const [got] = await q.consumer.receive(1, 30);
      if (!got) throw new Error('expected a message');
      const receipt = await q.consumer.release(got, 0);
      expect(receipt).not.toBe(got.popReceipt);
      await expectGone(q.consumer.release(got, 0));
      const [again] = await q.consumer.receive(1, 30);
      expect(again?.id).toBe(got.id);
      expect(again?.dequeueCount).toBe(2);
    });

    it('release with a delay hides the message for that long; renewing with the new receipt works', async () => {
      await q.writer.send('{"n":3}');
      const [got] = await q.consumer.receive(1, 1);
      if (!got) throw new Error('expected a message');
      const renewed = await q.consumer.release(got, 2);
      await q.elapse(1000);
      expect(await q.consumer.receive(1, 30)).toHaveLength(0);
      await q.elapse(1400);
      const [again] = await q.consumer.receive(1, 30);
      expect(again?.id).toBe(got.id);
      await expectGone(q.consumer.delete({ ...got, popReceipt: renewed }));
    });

    it('accepts a late renewal while nobody else has received the message', async () => {
      await q.writer.send('{"n":4}');
      const [got] = await q.consumer.receive(1, 1);
      if (!got) throw new Error('expected a message');
      await q.elapse(1200);
      const receipt = await q.consumer.release(got, 30);
      expect(await q.consumer.receive(1, 30)).toHaveLength(0);
      await q.consumer.delete({ ...got, popReceipt: receipt });
      expect(await q.consumer.approximateCount()).toBe(0);
    });

    it('holds a message sent with a visibility delay until the delay is over', async () => {
      await q.writer.send('{"n":5}', { visibilityDelaySec: 2 });
      expect(await q.consumer.receive(1, 30)).toHaveLength(0);
      expect(await q.consumer.approximateCount()).toBe(1);
      await q.elapse(2200);
      expect(await q.consumer.receive(1, 30)).toHaveLength(1);
    });

    it('counts visible and invisible messages, and a deleted message is gone for good', async () => {
      expect(await q.consumer.approximateCount()).toBe(0);
      await q.writer.send('{"n":6}');
      await q.writer.send('{"n":7}');
      await q.writer.send('{"n":8}', { visibilityDelaySec: 600 });
      const got = await q.consumer.receive(32, 30);
      expect(got).toHaveLength(2);
      expect(await q.consumer.approximateCount()).toBe(3);
      const [one] = got;
      if (!one) throw new Error('expected a message');
      await q.consumer.delete(one);
      expect(await q.consumer.approximateCount()).toBe(2);
      await expectGone(q.consumer.delete(one));
    });

    it('returns at most the number of messages asked for', async () => {
      for (let i = 0; i < 3; i++) await q.writer.send(`{"i":${i}}`);
      expect(await q.consumer.receive(2, 30)).toHaveLength(2);
      expect(await q.consumer.receive(2, 30)).toHaveLength(1);
    });

    it('takes exactly 64 KiB of UTF-8 and refuses one byte more, naming the limit', async () => {
      const exact = 'a'.repeat(65536);
      await q.writer.send(exact);
      const [got] = await q.consumer.receive(1, 30);
      expect(got?.text).toBe(exact);
      // 32,769 characters, but 65,538 bytes: the limit is in bytes.
      const error = await q.writer.send('é'.repeat(32769)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueueMessageTooLargeError);
      expect((error as Error).message).toContain('65536');
      expect((error as Error).message).not.toContain('é');
      expect(await q.consumer.approximateCount()).toBe(1);
    });

    it('refuses visibility delays outside 0..604800 whole seconds and batch sizes outside 1..32', async () => {
      for (const visibilityDelaySec of [-1, 604801, 1.5]) {
        await expect(q.writer.send('{}', { visibilityDelaySec })).rejects.toThrow(RangeError);
      }
      await q.writer.send('{}');
      const [got] = await q.consumer.receive(1, 30);
      if (!got) throw new Error('expected a message');
      await expect(q.consumer.release(got, 604801)).rejects.toThrow(RangeError);
      await expect(q.consumer.receive(0, 30)).rejects.toThrow(RangeError);
      await expect(q.consumer.receive(33, 30)).rejects.toThrow(RangeError);
      await expect(q.consumer.receive(1, 0)).rejects.toThrow(RangeError);
      expect(await q.consumer.approximateCount()).toBe(1);
    });
  });
}
