/** Claim-check attachments: blobs in the one attachments container. */
export interface AttachmentStore {
  /**
   * Reads `path` (relative to the container, already validated by the core) if it is at most
   * `maxBytes` long: size is checked with a HEAD before downloading. Throws PermanentDeliveryError
   * AttachmentNotFound / AttachmentTooLarge; other storage errors propagate (retried later).
   */
  read(path: string, maxBytes: number): Promise<Buffer>;
}
