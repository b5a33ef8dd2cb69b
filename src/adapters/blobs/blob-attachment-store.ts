import type { ContainerClient } from '@azure/storage-blob';
import { FailureCode } from '../../domain/failure-codes.js';
import { permanent } from '../../domain/failure.js';
import type { AttachmentStore } from '../../ports/attachments.js';

export interface BlobAttachmentStoreOptions {
  /** The one attachments container; paths are relative to it. */
  container: ContainerClient;
}

/**
 * A storage failure other than "not found" or "too large": retryable. It replaces the SDK's error,
 * whose request (printed by util.inspect) carries the blob URL, and so the path; it keeps what
 * support needs: status, storage error code and request id.
 */
export class AttachmentReadError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    readonly requestId: string | undefined,
  ) {
    const answer = statusCode === undefined ? 'storage unreachable' : `storage answered ${statusCode}`;
    super(`attachment read failed: ${answer}${code === undefined ? '' : ` (${code})`}`);
    this.name = 'AttachmentReadError';
  }
}

interface StorageErrorShape {
  name?: unknown;
  statusCode?: unknown;
  code?: unknown;
  details?: { errorCode?: unknown; requestId?: unknown };
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function storageError(e: unknown) {
  if (typeof e !== 'object' || e === null || (e as StorageErrorShape).name !== 'RestError') return undefined;
  const { statusCode, code, details } = e as StorageErrorShape;
  return {
    status: typeof statusCode === 'number' ? statusCode : undefined,
    // A HEAD answer has no body: its error code comes from the x-ms-error-code header, in `details`.
    code: text(details?.errorCode) ?? text(code),
    requestId: text(details?.requestId),
  };
}

// Messages name the limit, never the path: blob paths start with a businessId and name documents.
const notFound = () => permanent(FailureCode.AttachmentNotFound, 'attachment blob does not exist');
const tooLarge = (maxBytes: number) =>
  permanent(FailureCode.AttachmentTooLarge, `attachment blob is larger than the limit of ${maxBytes} bytes`);

async function readCapped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += buffer.length;
    if (length > maxBytes) {
      // Leaving the loop destroys the stream: nothing past the limit is read.
      throw tooLarge(maxBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Claim-check attachments from Blob Storage. A HEAD comes first, so a blob over the limit is
 * refused without a byte of it downloaded; the download is pinned to the ETag the HEAD saw and
 * its length is counted again, so a blob replaced in between is never read past the limit.
 */
export function createBlobAttachmentStore(options: BlobAttachmentStoreOptions): AttachmentStore {
  const { container } = options;
  return {
    async read(path: string, maxBytes: number): Promise<Buffer> {
      const blob = container.getBlobClient(path);
      try {
        const { contentLength, etag } = await blob.getProperties();
        if ((contentLength ?? 0) > maxBytes) throw tooLarge(maxBytes);
        const download = await blob.download(0, undefined, {
          conditions: etag === undefined ? {} : { ifMatch: etag },
        });
        const body = download.readableStreamBody;
        if (body === undefined) throw new Error('blob download returned no body stream');
        return await readCapped(body, maxBytes);
      } catch (e) {
        const failure = storageError(e);
        if (failure === undefined) throw e;
        // A missing container is a deployment fault, not a fault of this message: let it be retried.
        if (failure.status === 404 && failure.code !== 'ContainerNotFound') throw notFound();
        throw new AttachmentReadError(failure.status, failure.code, failure.requestId);
      }
    },
  };
}
