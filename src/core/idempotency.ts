import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { HrMailMessage } from './contract.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Prefix of derived keys; the version lets the derivation change without colliding with old keys. */
export const DERIVED_KEY_PREFIX = 'd1-';
export const RAW_KEY_PREFIX = 'raw-';

/**
 * The idempotency key of docs/architecture.md §4 when the producer gives none: a hash of businessId, intent,
 * template, templateVersion (only as given in the message — never the catalog's current one, so a new
 * template version does not turn a redelivery into a new mail), the sorted lower-cased recipients
 * (tagged to/cc/bcc), the canonical JSON of `data`, and the UTC day of `requestedAt` when given.
 */
export function deriveKey(m: HrMailMessage): string {
  const recipients = [
    ...m.to.map((r) => `to:${r.address.toLowerCase()}`),
    ...m.cc.map((r) => `cc:${r.address.toLowerCase()}`),
    ...m.bcc.map((r) => `bcc:${r.address.toLowerCase()}`),
  ].sort();
  const day = m.requestedAt === undefined ? null : new Date(m.requestedAt).toISOString().slice(0, 10);
  const material = canonicalJson([
    m.businessId,
    m.intent,
    m.template,
    m.templateVersion ?? null,
    recipients,
    m.data,
    day,
  ]);
  return DERIVED_KEY_PREFIX + sha256(material).slice(0, 40);
}

export function keyOf(m: HrMailMessage): { key: string; source: 'given' | 'derived' } {
  return m.idempotencyKey === undefined
    ? { key: deriveKey(m), source: 'derived' }
    : { key: m.idempotencyKey, source: 'given' };
}

/** Hash of the whole message as the producer wrote it (parsed, canonicalised): detects KeyConflict. */
export function payloadHash(parsed: unknown): string {
  return sha256(canonicalJson(parsed));
}

/** Key under which input that never got as far as a key is recorded: the hash of its exact text. */
export function rawKey(text: string): string {
  return RAW_KEY_PREFIX + sha256(text).slice(0, 40);
}

/** Lower-cased, de-duplicated, sorted domains of every recipient: safe to store and emit. */
export function recipientDomains(m: HrMailMessage): string[] {
  const domains = new Set<string>();
  for (const r of [...m.to, ...m.cc, ...m.bcc]) {
    const at = r.address.lastIndexOf('@');
    domains.add(r.address.slice(at + 1).toLowerCase());
  }
  return [...domains].sort();
}
