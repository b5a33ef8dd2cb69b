import { HR_COURIER_KEY_PROPERTY_ID } from '../ports/graph.js';
import type { AcceptedMail } from './types.js';
import type { ParsedMail } from './mail-model.js';

/** One accepted mail as the sender's mailbox holds it. */
export interface StoredMessage {
  /** Graph message id (opaque). */
  id: string;
  mailbox: string;
  /** Epoch ms, simulator clock. */
  acceptedAt: number;
  internetMessageId: string;
  mail: ParsedMail;
  record: AcceptedMail;
}

export type Folder = 'drafts' | 'sentitems';

export interface MailStore {
  add(message: StoredMessage): void;
  accepted(): AcceptedMail[];
  sendsByKey(): Record<string, number>;
  /** Where the message is at `now`: not yet visible, in Drafts (on its way out) or in Sent Items. */
  folderOf(message: StoredMessage, now: number): Folder | undefined;
  /** The mailbox's visible messages, newest first; `folder` narrows to one folder. */
  messages(mailbox: string, now: number, folder?: Folder): StoredMessage[];
  reset(): void;
}

/** Extended property ids are compared as Exchange does: case and spacing do not matter. */
export function samePropertyId(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}

export function hrCourierKeyOf(mail: ParsedMail): string | undefined {
  return mail.extendedProperties.find((p) => samePropertyId(p.id, HR_COURIER_KEY_PROPERTY_ID))?.value;
}

/**
 * The accepted mail, per mailbox. Sendmail saves a draft, transport sends it and moves it to Sent
 * Items: the look-ups see nothing for `transportDelayMs`, then the draft (only `/messages`, which
 * searches every folder, finds it) and after `sentItemsDelayMs` more the copy in Sent Items. With
 * `saveToSentItems: false` nothing is ever visible.
 */
export function createMailStore(options: { transportDelayMs: number; sentItemsDelayMs: number }): MailStore {
  let stored: StoredMessage[] = [];
  let counts = new Map<string, number>();
  const folderOf = (message: StoredMessage, now: number): Folder | undefined => {
    if (!message.mail.saveToSentItems) return undefined;
    const draftAt = message.acceptedAt + options.transportDelayMs;
    if (now < draftAt) return undefined;
    return now < draftAt + options.sentItemsDelayMs ? 'drafts' : 'sentitems';
  };
  return {
    add(message) {
      stored.push(message);
      const key = message.record.key;
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    accepted: () => stored.map((m) => ({ ...m.record })),
    sendsByKey: () => Object.fromEntries(counts),
    folderOf,
    messages(mailbox, now, folder) {
      return stored
        .filter((m) => m.mailbox === mailbox)
        .filter((m) => {
          const at = folderOf(m, now);
          return at !== undefined && (folder === undefined || at === folder);
        })
        .reverse();
    },
    reset() {
      stored = [];
      counts = new Map();
    },
  };
}
