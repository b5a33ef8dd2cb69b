import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureCode } from '../../src/domain/failure-codes.js';
import { PermanentDeliveryError } from '../../src/domain/failure.js';
import type { AttachmentStore } from '../../src/ports/attachments.js';

export interface AttachmentStoreUnderTest {
  store: AttachmentStore;
  close(): Promise<void>;
}

/** Paths that look like real claim checks: a businessId folder, spaces, unicode. */
export const CONTRACT_FILES = {
  binary: 'CAND-12345/offer letter – Zoë.pdf',
  exact: 'CAND-12345/exactly-64.bin',
  empty: 'CAND-12345/empty.txt',
  missing: 'CAND-12345/never-uploaded.pdf',
} as const;

const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));

async function permanentFailure(read: Promise<Buffer>): Promise<PermanentDeliveryError> {
  const error: unknown = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PermanentDeliveryError);
  return error as PermanentDeliveryError;
}

/** The AttachmentStore port's semantics, run against every implementation (fake, Blob Storage). */
export function describeAttachmentStoreContract(
  name: string,
  makeStore: (files: Record<string, Buffer>) => Promise<AttachmentStoreUnderTest>,
): void {
  describe(`${name} keeps the AttachmentStore contract`, () => {
    let subject: AttachmentStoreUnderTest;
    beforeAll(async () => {
      subject = await makeStore({
        [CONTRACT_FILES.binary]: binary,
        [CONTRACT_FILES.exact]: Buffer.alloc(64, 7),
        [CONTRACT_FILES.empty]: Buffer.alloc(0),
      });
    });
    afterAll(async () => {
      await subject.close();
    });

    it('reads an attachment byte for byte', async () => {
      const bytes = await subject.store.read(CONTRACT_FILES.binary, 1_000_000);
      expect(bytes.equals(binary)).toBe(true);
    });

    it('reads an attachment of exactly the limit, and an empty one', async () => {
      expect(await subject.store.read(CONTRACT_FILES.exact, 64)).toEqual(Buffer.alloc(64, 7));
      expect(await subject.store.read(CONTRACT_FILES.empty, 64)).toEqual(Buffer.alloc(0));
    });

    it('refuses an attachment one byte over the limit, permanently and without naming it', async () => {
      const error = await permanentFailure(subject.store.read(CONTRACT_FILES.exact, 63));
      expect(error.reason.code).toBe(FailureCode.AttachmentTooLarge);
      expect(error.message).toContain('63 bytes');
      expect(error.message).not.toContain('exactly-64');
      expect(error.message).not.toContain('CAND-12345');
    });

    it('reports a missing attachment as permanently not found, without naming it', async () => {
      const error = await permanentFailure(subject.store.read(CONTRACT_FILES.missing, 1000));
      expect(error.reason.code).toBe(FailureCode.AttachmentNotFound);
      expect(JSON.stringify(error.reason)).not.toContain('never-uploaded');
      expect(error.message).not.toContain('CAND-12345');
    });
  });
}
