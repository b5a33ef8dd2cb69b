import type { Clock, Ids, Random } from '../../ports/clock.js';
import type { FlowGate, GateDecision } from '../../ports/flow-gate.js';
import type { GateRow, GateStore, GateView, GateWrite } from '../../ports/gate-store.js';

export interface SharedGateSettings {
  appConcurrency: number;
  mailboxConcurrency: number;
  mailboxPerMinute: number;
  recipientsPerDay: number;
  /** A slot's lease: longer than a POST can take, so a crashed holder's slot frees itself. */
  leaseMs: number;
  /** The per-mailbox rate window (60 s; shorter under dev-mode time scaling). */
  rateWindowMs: number;
  /** Recipient-budget bucket length (1 h); the rolling window is `budgetBuckets` of them (24). */
  bucketMs: number;
  budgetBuckets: number;
  /** How long to keep trying in-process for a slot held elsewhere before deferring the message. */
  maxWaitMs: number;
  /** Deferrals behind a pause are spread over this much extra time, so the pause's end is no stampede. */
  spreadMs: number;
}

/** Row ids, all in the gate's one partition; prefixes keep one read per acquire. */
export const gateRowIds = {
  appPrefix: 'a!',
  appSlot: (i: number) => `a!slot!${i}`,
  appPause: 'a!pause',
  mailboxPrefix: (sender: string) => `m!${sender}!`,
  mailboxSlot: (sender: string, i: number) => `m!${sender}!slot!${i}`,
  mailboxPause: (sender: string) => `m!${sender}!pause`,
  rateToken: (sender: string, i: number) => `m!${sender}!rate!${i}`,
  budgetBucket: (sender: string, slot: number) => `m!${sender}!rcpt!${slot}`,
};

/** The storage `Date` has one-second resolution: stamps err a second late, never early. */
const STAMP_MARGIN_MS = 1_000;
/** Recipients are charged this much late: Date truncation plus the time from claim to acceptance. */
const CHARGE_MARGIN_MS = 2_000;

type Need =
  | { kind: 'ok'; writes: GateWrite[]; slots: string[]; token?: string; claimedAt: number }
  | { kind: 'wait'; ms: number | undefined; reason: string };

/**
 * The flow gate across instances (docs/architecture.md §5.4), in front of the in-process gate: app-wide and
 * per-mailbox concurrency as leased slot rows, the per-mailbox rate as one row per token (a token is
 * free again a window after its last use: a sliding window, not a bucket boundary that lets 2× through),
 * the rolling recipient budget as hour buckets, and pauses after a 429 — all judged by the storage
 * server's clock. One read and one atomic write per grant, one write per release.
 */
export function createSharedFlowGate(deps: {
  store: GateStore;
  local: FlowGate;
  settings: SharedGateSettings;
  clock: Clock;
  ids: Ids;
  random: Random;
}): FlowGate {
  const { store, local, settings: s, clock, ids, random } = deps;

  const free = (row: GateRow | undefined, now: number) => row === undefined || (row.until ?? 0) <= now;
  const write = (row: GateRow | undefined, id: string, values: GateWrite['values']): GateWrite => ({
    id,
    etag: row?.etag ?? null,
    values,
  });

  function plan(view: GateView, sender: string, recipients: number, permit: string): Need {
    const now = view.serverTime;
    const row = (id: string) => view.rows.get(id);
    const pausedUntil = Math.max(
      row(gateRowIds.appPause)?.until ?? 0,
      row(gateRowIds.mailboxPause(sender))?.until ?? 0,
    );
    if (pausedUntil > now)
      return { kind: 'wait', ms: pausedUntil - now + random() * s.spreadMs, reason: 'Paused' };

    const writes: GateWrite[] = [];
    let tokenId: string | undefined;
    if (recipients > 0) {
      // Rolling recipient budget in buckets (rows reused round-robin). The recipients are charged to
      // the bucket of `now + CHARGE_MARGIN_MS`: the storage Date is truncated and Exchange counts the
      // mail when it accepts it, after this claim. A charge to bucket c may be a send up to the end of
      // c, so it leaves the window only when c's end does; and a bucket charged ahead of `now` counts
      // already. Errs by up to a bucket on the safe side, never the other.
      const ahead = Math.ceil(CHARGE_MARGIN_MS / s.bucketMs);
      const charged = Math.floor((now + CHARGE_MARGIN_MS) / s.bucketMs);
      const oldest = Math.floor(now / s.bucketMs) - s.budgetBuckets;
      const slotOf = (b: number) => b % (s.budgetBuckets + 1 + ahead);
      const counts = new Map<number, number>();
      for (let b = oldest; b <= charged + ahead; b++) {
        const r = row(gateRowIds.budgetBucket(sender, slotOf(b)));
        counts.set(b, r?.bucket === b ? (r.count ?? 0) : 0);
      }
      let used = [...counts.values()].reduce((a, c) => a + c, 0);
      if (used + recipients > s.recipientsPerDay) {
        // Wait until enough of the oldest buckets have left the window.
        for (let b = oldest; b <= charged + ahead; b++) {
          used -= counts.get(b) ?? 0;
          if (used + recipients <= s.recipientsPerDay) {
            return {
              kind: 'wait',
              ms: (b + 1 + s.budgetBuckets) * s.bucketMs - now + 1,
              reason: 'RecipientBudget',
            };
          }
        }
        return { kind: 'wait', ms: (s.budgetBuckets + 1) * s.bucketMs, reason: 'RecipientBudget' };
      }
      const current = row(gateRowIds.budgetBucket(sender, slotOf(charged)));
      writes.push(
        write(current, gateRowIds.budgetBucket(sender, slotOf(charged)), {
          bucket: charged,
          count: (counts.get(charged) ?? 0) + recipients,
        }),
      );

      // Rate: a token is free once its last use has left the window.
      let token: number | undefined;
      let soonest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < s.mailboxPerMinute && token === undefined; i++) {
        const r = row(gateRowIds.rateToken(sender, i));
        const freeAt = (r?.until ?? 0) + s.rateWindowMs;
        if (freeAt <= now) token = i;
        else soonest = Math.min(soonest, freeAt);
      }
      if (token === undefined) return { kind: 'wait', ms: soonest - now + 1, reason: 'RateLimit' };
      // Stamped a second late: the storage Date is truncated to the second, and the send comes after the claim.
      tokenId = gateRowIds.rateToken(sender, token);
      writes.push(write(row(tokenId), tokenId, { until: now + STAMP_MARGIN_MS }));
    }

    const take = (ids: string[], reason: string): string | Need => {
      const id = ids.find((i) => free(row(i), now));
      if (id === undefined) return { kind: 'wait', ms: undefined, reason };
      writes.push(write(row(id), id, { until: now + s.leaseMs, holder: permit }));
      return id;
    };
    const appSlot = take(
      Array.from({ length: s.appConcurrency }, (_, i) => gateRowIds.appSlot(i)),
      'AppBusy',
    );
    if (typeof appSlot !== 'string') return appSlot;
    const boxSlot = take(
      Array.from({ length: s.mailboxConcurrency }, (_, i) => gateRowIds.mailboxSlot(sender, i)),
      'MailboxBusy',
    );
    if (typeof boxSlot !== 'string') return boxSlot;
    return {
      kind: 'ok',
      writes,
      slots: [appSlot, boxSlot],
      ...(tokenId ? { token: tokenId } : {}),
      claimedAt: now,
    };
  }

  /**
   * Frees the slots and re-stamps the rate token with when the send really ended (the claim's server
   * time plus the time the permit was held: Exchange counts a mail when it accepts it, which is after
   * the claim), all in one write.
   */
  async function release(grant: Extract<Need, { kind: 'ok' }>, etags: Map<string, string>, heldMs: number) {
    const writes: GateWrite[] = grant.slots.flatMap((id) => {
      const etag = etags.get(id);
      return etag === undefined ? [] : [{ id, etag, values: { until: 0, holder: '' } }];
    });
    const tokenEtag = grant.token === undefined ? undefined : etags.get(grant.token);
    if (grant.token !== undefined && tokenEtag !== undefined) {
      writes.push({
        id: grant.token,
        etag: tokenEtag,
        values: { until: grant.claimedAt + heldMs + STAMP_MARGIN_MS },
      });
    }
    try {
      await store.write(writes); // a conflict means our lease had run out and a slot moved on: fine
    } catch {
      // Storage trouble: the lease frees the slots when it runs out; the token keeps its claim stamp.
    }
  }

  return {
    async acquire(request): Promise<GateDecision> {
      const inProcess = await local.acquire(request);
      if (inProcess.kind === 'defer') return inProcess;
      const { sender, recipients } = request;
      const permit = ids.uuid();
      const started = clock.now();
      let lastReason = 'AppBusy';
      try {
        for (let round = 0; ; round++) {
          const view = await store.read([gateRowIds.appPrefix, gateRowIds.mailboxPrefix(sender)]);
          const need = plan(view, sender, recipients, permit);
          if (need.kind === 'ok') {
            const commit = await store.write(need.writes);
            const grantedAt = clock.now();
            if (commit.ok) {
              let released = false;
              return {
                kind: 'granted',
                release: async () => {
                  if (released) return;
                  released = true;
                  await inProcess.release();
                  await release(need, commit.etags, clock.now() - grantedAt);
                },
              };
            }
            lastReason = 'Contention';
          } else {
            lastReason = need.reason;
            // Long waits are deferred, not polled: the message goes back to the queue until then.
            if (
              need.ms !== undefined &&
              (need.ms > s.maxWaitMs || need.reason === 'Paused' || need.reason === 'RecipientBudget')
            ) {
              await inProcess.release();
              return { kind: 'defer', delayMs: need.ms, reason: need.reason };
            }
          }
          const pause = need.kind === 'wait' && need.ms !== undefined ? need.ms : 50 + random() * 250;
          if (clock.now() - started + pause > s.maxWaitMs || request.signal?.aborted) break;
          await clock.sleep(pause, request.signal);
        }
      } catch (e) {
        await inProcess.release();
        throw e;
      }
      await inProcess.release();
      // Slots held elsewhere for longer than we wait: try again later, spread out.
      return { kind: 'defer', delayMs: s.maxWaitMs * (2 + 2 * random()), reason: lastReason };
    },

    // Pauses live only in the shared store (read on every acquire): every instance sees the same one.
    async pause(request) {
      const id = request.scope === 'app' ? gateRowIds.appPause : gateRowIds.mailboxPause(request.sender);
      for (let round = 0; round < 5; round++) {
        const view = await store.read([id]);
        const row = view.rows.get(id);
        if ((row?.until ?? 0) >= request.untilMs) return { started: false };
        const commit = await store.write([
          { id, etag: row?.etag ?? null, values: { until: request.untilMs } },
        ]);
        // Exactly one writer turns an expired (or absent) pause into a live one: that one reports it.
        if (commit.ok) return { started: (row?.until ?? 0) <= view.serverTime };
      }
      return { started: false };
    },

    record: (request) => local.record(request),
  };
}
