import type { QueueClient } from '@azure/storage-queue';
import type { QueueWriter } from '../../ports/queue.js';
import { assertMessageSize, assertVisibilityDelay } from './queue-limits.js';
import { createStorageCall } from './storage-call.js';

/** "Never expires": the default 7-day time-to-live would silently drop a deferred or poisoned HR email. */
const NEVER_EXPIRES = -1;

/**
 * Writes text to a Storage queue unchanged (the host reads it with messageEncoding none), with no expiry.
 * The queue is created on first use.
 */
export function createQueueWriter(client: QueueClient): QueueWriter {
  const call = createStorageCall(client);
  return {
    name: client.name,
    async send(text, options = {}) {
      const visibilityDelaySec = options.visibilityDelaySec ?? 0;
      assertVisibilityDelay(visibilityDelaySec);
      assertMessageSize(client.name, text);
      const sent = await call('send', () =>
        client.sendMessage(text, {
          messageTimeToLive: NEVER_EXPIRES,
          ...(visibilityDelaySec > 0 ? { visibilityTimeout: visibilityDelaySec } : {}),
        }),
      );
      return { messageId: sent.messageId };
    },
  };
}
