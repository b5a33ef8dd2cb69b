import type { QueueClient } from '@azure/storage-queue';
import type { QueueConsumer, ReceivedMessage } from '../../ports/queue.js';
import { QueueStorageError } from './queue-errors.js';
import { assertReceiveArgs, assertVisibilityDelay } from './queue-limits.js';
import { createStorageCall } from './storage-call.js';

/** The consuming side of a Storage queue, for the local worker. The queue is created on first use. */
export function createQueueConsumer(client: QueueClient): QueueConsumer {
  const call = createStorageCall(client);
  return {
    name: client.name,

    async receive(max, visibilityTimeoutSec) {
      assertReceiveArgs(max, visibilityTimeoutSec);
      const got = await call('receive', () =>
        client.receiveMessages({ numberOfMessages: max, visibilityTimeout: visibilityTimeoutSec }),
      );
      return got.receivedMessageItems.map((item): ReceivedMessage => ({
        id: item.messageId,
        popReceipt: item.popReceipt,
        text: item.messageText,
        dequeueCount: item.dequeueCount,
        insertedOn: item.insertedOn,
      }));
    },

    async delete(message) {
      await call('delete', () => client.deleteMessage(message.id, message.popReceipt));
    },

    async release(message, visibilityDelaySec) {
      assertVisibilityDelay(visibilityDelaySec);
      // No text argument: the SDK then updates the visibility only, and the text stays byte for byte.
      const updated = await call('release', () =>
        client.updateMessage(message.id, message.popReceipt, undefined, visibilityDelaySec),
      );
      if (updated.popReceipt === undefined) {
        throw new QueueStorageError(client.name, 'release', 'MissingPopReceipt', updated._response.status);
      }
      return updated.popReceipt;
    },

    async approximateCount() {
      const properties = await call('count', () => client.getProperties());
      return properties.approximateMessagesCount ?? 0;
    },
  };
}
