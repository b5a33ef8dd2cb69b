import { ODATA_CONTENT_TYPE, respondJson } from './graph-responses.js';
import { reject } from './json-shape.js';
import type { MailAddress } from './mail-model.js';
import type { Folder, MailStore, StoredMessage } from './mail-store.js';
import { samePropertyId } from './mail-store.js';
import { parseExpand, parseExtendedPropertyFilter, parseSelect, parseTop } from './odata-query.js';
import type { SimContext } from './pipeline.js';

/** Well-known folder names Graph accepts in `/mailFolders/{name}`; the simulator fills two of them. */
const WELL_KNOWN_FOLDERS = new Set([
  'inbox',
  'outbox',
  'deleteditems',
  'junkemail',
  'archive',
  'sentitems',
  'drafts',
]);

export interface ListMessagesDeps {
  store: MailStore;
  now: () => number;
  /** Milliseconds from draft to Sent Items, to date `sentDateTime`. */
  transportDelayMs: number;
  sentItemsDelayMs: number;
}

/**
 * `GET /users/{id}/messages` (every folder) and `GET /users/{id}/mailFolders/{folder}/messages`,
 * with the extended-property `$filter`, `$select`, `$top` and `$expand` hr-courier's verify uses.
 * Throws GraphRejection for queries Graph would refuse.
 */
export function listMessages(ctx: SimContext, deps: ListMessagesDeps): void {
  const mailbox = ctx.mailbox ?? '';
  const query = ctx.request.url.searchParams;
  const folder = folderParam(ctx, mailbox);
  if (folder === 'none') {
    respondJson(ctx, 200, { value: [] }, ODATA_CONTENT_TYPE);
    return;
  }
  const filterText = query.get('$filter');
  const filter = filterText === null ? undefined : parseExtendedPropertyFilter(filterText);
  const top = parseTop(query.get('$top'));
  const select = parseSelect(query.get('$select'));
  const expand = parseExpand(query.get('$expand'));
  const now = deps.now();
  const found = deps.store
    .messages(mailbox, now, folder)
    .filter(
      (m) =>
        !filter ||
        m.mail.extendedProperties.some((p) => samePropertyId(p.id, filter.id) && p.value === filter.value),
    )
    .slice(0, top)
    .map((m) => present(m, { mailbox, now, select, expand, deps }));
  respondJson(
    ctx,
    200,
    {
      '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${encodeURIComponent(mailbox)}')/messages`,
      value: found,
    },
    ODATA_CONTENT_TYPE,
  );
}

/** The folder named in the URL: one the simulator fills, an empty well-known one, or all. */
function folderParam(ctx: SimContext, mailbox: string): Folder | 'none' | undefined {
  const param = ctx.route?.params.folder;
  if (param === undefined) return undefined;
  const name = param.toLowerCase();
  if (name === 'sentitems' || param === folderId(mailbox, 'sentitems')) return 'sentitems';
  if (name === 'drafts' || param === folderId(mailbox, 'drafts')) return 'drafts';
  if (WELL_KNOWN_FOLDERS.has(name)) return 'none';
  return reject(404, 'ErrorInvalidIdMalformed', 'Id is malformed.');
}

export function folderId(mailbox: string, folder: Folder): string {
  return `AAMkSim${Buffer.from(`${mailbox}/${folder}`).toString('base64url')}`;
}

function present(
  m: StoredMessage,
  opts: {
    mailbox: string;
    now: number;
    select: string[] | undefined;
    expand: { expand: boolean; id?: string };
    deps: ListMessagesDeps;
  },
): Record<string, unknown> {
  const folder = opts.deps.store.folderOf(m, opts.now) ?? 'drafts';
  const created = isoSeconds(m.acceptedAt);
  const sentAt = m.acceptedAt + opts.deps.transportDelayMs + opts.deps.sentItemsDelayMs;
  const recipients = (list: MailAddress[]) => list.map((a) => ({ emailAddress: { ...a } }));
  const from = { emailAddress: { ...(m.mail.from ?? { address: m.mailbox }) } };
  const full: Record<string, unknown> = {
    createdDateTime: created,
    lastModifiedDateTime: folder === 'sentitems' ? isoSeconds(sentAt) : created,
    sentDateTime: folder === 'sentitems' ? isoSeconds(sentAt) : null,
    subject: m.mail.subject,
    importance: m.mail.importance,
    isDraft: folder === 'drafts',
    parentFolderId: folderId(opts.mailbox, folder),
    internetMessageId: m.internetMessageId,
    hasAttachments: m.mail.attachments.length > 0,
    body: { contentType: m.mail.bodyType, content: m.mail.bodyContent },
    from,
    sender: m.mail.sender ? { emailAddress: { ...m.mail.sender } } : from,
    toRecipients: recipients(m.mail.to),
    ccRecipients: recipients(m.mail.cc),
    bccRecipients: recipients(m.mail.bcc),
    replyTo: recipients(m.mail.replyTo),
  };
  const wanted = opts.select
    ? Object.entries(full).filter(([k]) => opts.select?.includes(k))
    : Object.entries(full);
  const shown: Record<string, unknown> = {
    '@odata.etag': `W/"${m.id.slice(-12)}"`,
    id: m.id,
    ...Object.fromEntries(wanted),
  };
  if (opts.expand.expand) {
    const { id } = opts.expand;
    shown.singleValueExtendedProperties = m.mail.extendedProperties
      .filter((p) => id === undefined || samePropertyId(p.id, id))
      .map((p) => ({ id: p.id, value: p.value }));
  }
  return shown;
}

function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
