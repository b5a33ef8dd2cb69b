import { describeAttachmentStoreContract } from '../contracts/attachments.js';
import { createMemoryAttachmentStore } from './attachments.js';

describeAttachmentStoreContract('the in-memory attachment store', (files) =>
  Promise.resolve({ store: createMemoryAttachmentStore(files), close: () => Promise.resolve() }),
);
