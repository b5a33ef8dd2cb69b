import type { AttachmentStore } from '../ports/attachments.js';
import { FailureCode } from '../domain/failure-codes.js';
import type { HrMailMessage } from './contract.js';
import { isPermanentDeliveryError, permanent } from '../domain/failure.js';
import { MAX_ATTACHMENT_BYTES_TOTAL, type LoadedAttachment } from './graph-message.js';

/**
 * Inline attachments are decoded to check their size; claim-check blobs are read from the one
 * attachments container (paths were confined to `{businessId}/` by the contract). The total stays under
 * what a single sendMail request can carry.
 */
export async function loadAttachments(m: HrMailMessage, store: AttachmentStore): Promise<LoadedAttachment[]> {
  let remaining = MAX_ATTACHMENT_BYTES_TOTAL;
  const loaded: LoadedAttachment[] = [];
  for (const [i, a] of m.attachments.entries()) {
    let bytes: Buffer;
    if (a.contentBytes !== undefined) {
      bytes = Buffer.from(a.contentBytes, 'base64');
    } else if (a.blob !== undefined) {
      try {
        bytes = await store.read(a.blob, remaining);
      } catch (e) {
        if (!isPermanentDeliveryError(e)) throw e;
        throw permanent(e.reason.code, `attachments[${i}].blob: ${e.reason.detail}`, {
          fieldPaths: [`attachments[${i}].blob`],
        });
      }
    } else {
      continue; // unreachable: the contract requires exactly one of the two
    }
    if (bytes.length > remaining) {
      throw permanent(
        FailureCode.AttachmentTooLarge,
        `attachments[${i}] takes the attachments over ${MAX_ATTACHMENT_BYTES_TOTAL} bytes, the most one sendMail request carries`,
        { fieldPaths: [`attachments[${i}]`] },
      );
    }
    remaining -= bytes.length;
    loaded.push({ name: a.name, contentType: a.contentType, contentBytes: bytes.toString('base64') });
  }
  return loaded;
}
