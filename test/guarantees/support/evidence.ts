import type { AttemptRecord, MailRecord, MailState } from '../../../src/ports/ledger.js';
import type { SimulatorHandle } from '../../../src/sim/index.js';
import type { Lane } from '../../support/guarantee-stack.js';
import type { GuaranteeMessage } from './messages.js';

/** What the simulator (the outside world) and the ledger (our evidence) each say about one key. */
export interface KeyEvidence {
  key: string;
  businessId: string;
  /** Sends the simulator accepted with this key's HrCourierKey: mails that really went out. */
  accepted: number;
  /** The state row; undefined when the ledger never recorded the key. */
  record: (MailRecord & { attemptRows: AttemptRecord[] }) | undefined;
  state: MailState | undefined;
  /**
   * Graph sends the ledger accounts for: attempt rows of sends, plus a `sending` mark whose answer was
   * never recorded (a lease still on the row, or one an expiry turned into `unknown`).
   */
  marked: number;
}

const LOOK_UPS: ReadonlySet<AttemptRecord['outcome']> = new Set(['found', 'not-found']);

export function markedSends(record: MailRecord & { attemptRows: AttemptRecord[] }): number {
  const ids = new Set(record.attemptRows.filter((a) => !LOOK_UPS.has(a.outcome)).map((a) => a.attemptId));
  if (record.lease) ids.add(record.lease.attemptId);
  for (const id of record.reason?.attemptIds ?? []) ids.add(id);
  return ids.size;
}

/** Reads the ledger (directly, not through any fault proxy) and the simulator's counts for `messages`. */
export async function gatherEvidence(
  lane: Lane,
  sim: SimulatorHandle,
  messages: readonly GuaranteeMessage[],
): Promise<KeyEvidence[]> {
  const sends = sim.stats().sendsByKey;
  return Promise.all(
    messages.map(async (m) => {
      const story = await lane.trace(m.businessId);
      const record = story.records.find((r) => r.key === m.key);
      return {
        key: m.key,
        businessId: m.businessId,
        accepted: sends[m.key] ?? 0,
        record,
        state: record?.state,
        marked: record ? markedSends(record) : 0,
      };
    }),
  );
}

/** Keys sent more often than the ledger has marks for: a Graph call made without its `sending` mark. */
export function unmarkedSends(evidence: readonly KeyEvidence[]): string[] {
  return evidence
    .filter((e) => e.accepted > e.marked)
    .map((e) => `${e.key}: ${e.accepted} sent, ${e.marked} marked`);
}

/** Keys that went out more than once. */
export function duplicates(evidence: readonly KeyEvidence[]): string[] {
  return evidence.filter((e) => e.accepted > 1).map((e) => `${e.key}: sent ${e.accepted} times`);
}

/** State per key, for one readable assertion. */
export function statesByKey(evidence: readonly KeyEvidence[]): Record<string, MailState | 'missing'> {
  return Object.fromEntries(evidence.map((e) => [e.key, e.state ?? 'missing']));
}

/**
 * Sends the simulator accepted at or after `since` (epoch ms, this process's clock, which the
 * in-process simulator shares) for keys that were not holding a `sending` mark. Read while the
 * ledger is still down, the marks are exactly those written before it went down: any other send in
 * that window was made without its mark.
 */
export function sendsOutsideMarks(
  sim: SimulatorHandle,
  since: number,
  markedKeys: ReadonlySet<string>,
  keys: ReadonlySet<string>,
): string[] {
  return sim
    .accepted()
    .filter((a) => a.key !== undefined && keys.has(a.key) && Date.parse(a.acceptedAt) >= since)
    .filter((a) => a.key !== undefined && !markedKeys.has(a.key))
    .map((a) => `${a.key ?? '?'} accepted at ${a.acceptedAt} with no sending mark`);
}
