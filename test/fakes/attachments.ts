import { FailureCode } from '../../src/domain/failure-codes.js';
import { permanent } from '../../src/domain/failure.js';
import type { AttachmentStore } from '../../src/ports/attachments.js';

/** An AttachmentStore over a fixed set of files, with the Blob adapter's errors and messages. */
export function createMemoryAttachmentStore(files: Record<string, Buffer>): AttachmentStore {
  const stored = new Map(Object.entries(files).map(([path, bytes]) => [path, Buffer.from(bytes)]));
  return {
    read: (path, maxBytes) =>
      new Promise((resolve) => {
        const bytes = stored.get(path);
        if (bytes === undefined) {
          throw permanent(FailureCode.AttachmentNotFound, 'attachment blob does not exist');
        }
        if (bytes.length > maxBytes) {
          throw permanent(
            FailureCode.AttachmentTooLarge,
            `attachment blob is larger than the limit of ${maxBytes} bytes`,
          );
        }
        resolve(Buffer.from(bytes));
      }),
  };
}
