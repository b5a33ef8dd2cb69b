import {
  QueueErrorCode,
  QueueStorageError,
  type QueueOperation,
} from '../../src/adapters/queues/queue-errors.js';
import {
  assertMessageSize,
  assertReceiveArgs,
  assertVisibilityDelay,
} from '../../src/adapters/queues/queue-limits.js';
import type { Clock } from '../../src/ports/clock.js';
import {
  QueueMessageGoneError,
  type QueueConsumer,
  type QueueWriter,
  type ReceivedMessage,
} from '../../src/ports/queue.js';

/** What the fake holds for one message, for assertions. */
export interface FakeQueueEntry {
  id: string;
  text: string;
  dequeueCount: number;
  insertedOn: Date;
  /** Epoch ms at which the message becomes visible. */
  visibleAt: number;
  popReceipt: string | undefined;
}

/**
 * An in-memory Storage queue with the semantics hr-courier relies on: visibility driven by the injected
 * clock, a fresh pop receipt on every receive and release (so older receipts go stale), dequeueCount
 * counted on receive, and the same limits and error codes as the Azure adapter.
 */
export interface FakeQueue extends QueueWriter, QueueConsumer {
  /** Every message, visible or not, in insertion order. */
  entries(): FakeQueueEntry[];
  texts(): string[];
  /** Messages a receive would return now. */
  visibleCount(): number;
  /** The next `operation` fails once with this storage error code, as a storage blip would. */
  failNext(operation: QueueOperation, code: string, statusCode?: number): void;
}

/** Answers a microtask later and turns a throw into a rejection, as an I/O call would. */
const io = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);

export function createFakeQueue(options: { name: string; clock: Clock }): FakeQueue {
  const { name, clock } = options;
  const messages = new Map<string, FakeQueueEntry>();
  const faults = new Map<QueueOperation, { code: string; statusCode: number | undefined }>();
  let nextId = 1;
  let nextReceipt = 1;

  const fault = (operation: QueueOperation): void => {
    const f = faults.get(operation);
    if (!f) return;
    faults.delete(operation);
    if (f.code === QueueErrorCode.MessageNotFound || f.code === QueueErrorCode.PopReceiptMismatch) {
      throw new QueueMessageGoneError(name, operation, f.code);
    }
    throw new QueueStorageError(name, operation, f.code, f.statusCode);
  };

  // Azure answers a stale receipt with 400 PopReceiptMismatch and a vanished message with 404; the
  // adapter reports both as the port's QueueMessageGoneError.
  const owned = (operation: QueueOperation, message: ReceivedMessage): FakeQueueEntry => {
    const entry = messages.get(message.id);
    if (!entry) throw new QueueMessageGoneError(name, operation, QueueErrorCode.MessageNotFound);
    if (entry.popReceipt !== message.popReceipt)
      throw new QueueMessageGoneError(name, operation, QueueErrorCode.PopReceiptMismatch);
    return entry;
  };

  const visible = (): FakeQueueEntry[] =>
    [...messages.values()]
      .filter((m) => m.visibleAt <= clock.now())
      .sort((a, b) => a.visibleAt - b.visibleAt);

  return {
    name,

    send: (text, sendOptions = {}) =>
      io(() => {
        const delay = sendOptions.visibilityDelaySec ?? 0;
        assertVisibilityDelay(delay);
        assertMessageSize(name, text);
        fault('send');
        const id = `fake-${name}-${nextId++}`;
        messages.set(id, {
          id,
          text,
          dequeueCount: 0,
          insertedOn: new Date(clock.now()),
          visibleAt: clock.now() + delay * 1000,
          popReceipt: undefined,
        });
        return { messageId: id };
      }),

    receive: (max, visibilityTimeoutSec) =>
      io(() => {
        assertReceiveArgs(max, visibilityTimeoutSec);
        fault('receive');
        const got = visible()
          .slice(0, max)
          .map((entry): ReceivedMessage => {
            entry.dequeueCount += 1;
            entry.popReceipt = `receipt-${nextReceipt++}`;
            entry.visibleAt = clock.now() + visibilityTimeoutSec * 1000;
            return {
              id: entry.id,
              popReceipt: entry.popReceipt,
              text: entry.text,
              dequeueCount: entry.dequeueCount,
              insertedOn: new Date(entry.insertedOn),
            };
          });
        return got;
      }),

    delete: (message) =>
      io(() => {
        fault('delete');
        owned('delete', message);
        messages.delete(message.id);
      }),

    release: (message, visibilityDelaySec) =>
      io(() => {
        assertVisibilityDelay(visibilityDelaySec);
        fault('release');
        const entry = owned('release', message);
        entry.popReceipt = `receipt-${nextReceipt++}`;
        entry.visibleAt = clock.now() + visibilityDelaySec * 1000;
        return entry.popReceipt;
      }),

    approximateCount: () =>
      io(() => {
        fault('count');
        return messages.size;
      }),

    entries: () => [...messages.values()].map((m) => ({ ...m, insertedOn: new Date(m.insertedOn) })),
    texts: () => [...messages.values()].map((m) => m.text),
    visibleCount: () => visible().length,
    failNext(operation, code, statusCode) {
      faults.set(operation, { code, statusCode });
    },
  };
}
