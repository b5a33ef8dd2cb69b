import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDeliver } from '../../src/core/delivery/deliver.js';
import { createLocalFlowGate } from '../../src/core/flow/local-flow-gate.js';
import type { CrashPoint, OnUnknownPolicy } from '../../src/core/delivery/types.js';
import type { AttemptRecord, Ledger, MailRecord } from '../../src/ports/ledger.js';
import type { ScriptedAnswer } from '../fakes/graph.js';
import { asText, validMessage } from '../support/messages.js';
import { createHarness } from './deliver-harness.js';

/*
 * A model-based test of the delivery core: 2–4 copies of one message run concurrently against the
 * in-memory ports, with every port call's completion ordered by fast-check's scheduler, under every
 * HR_COURIER_ON_UNKNOWN policy, with crashes at each step, any sequence of Graph answers, and slow
 * attachment reads, gate waits and POSTs moving the clock. Crashed copies come back (as the queue
 * redelivers an unacked message) and deferred copies are drained. Then:
 * - at most one mail goes out for the key, unless the policy is `resend` and an unknown outcome came first;
 * - a key recorded `sent` is never moved out of `sent`;
 * - every `sending` lease covers the full lease time from the moment it is written;
 * - the key ends in a recorded state: sent, failed (a copy in poison), expired, or unknown and held
 *   (a copy in `<queue>-held`); nothing is left in the queue.
 *
 * Seeded and reproducible: HR_COURIER_PROPERTY_SEED and HR_COURIER_PROPERTY_RUNS change the seed and
 * the number of cases (npm test runs a few hundred; e.g. HR_COURIER_PROPERTY_RUNS=5000 for a soak).
 * A failure prints its seed and path; fast-check shrinks it to a small counterexample.
 */

const RUNS = Number(process.env.HR_COURIER_PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.HR_COURIER_PROPERTY_SEED ?? 20261204);

const BID = 'CAND-777';
const KEY = 'offer-CAND-777-2026-11';
const BLOB = 'CAND-777/offer.pdf';
const TEXT = asText(
  validMessage({ attachments: [{ name: 'offer.pdf', contentType: 'application/pdf', blob: BLOB }] }),
);
const LEASE_MS = 90_000;

const graphAnswer: fc.Arbitrary<ScriptedAnswer> = fc.oneof(
  fc.constant({ status: 202 }),
  fc.constantFrom<ScriptedAnswer>(
    { status: 400, code: 'ErrorInvalidRecipients' },
    { status: 403, code: 'ErrorAccessDenied' },
    { status: 404, code: 'ErrorInvalidUser' },
    { status: 413 },
    { status: 503 },
  ),
  fc.record({ status: fc.constant(429), retryAfter: fc.constantFrom('1', '30') }),
  fc.record({ status: fc.constantFrom(500, 502, 504), accepted: fc.boolean() }),
  fc.record({
    status: fc.constant(401),
    code: fc.constant('InvalidAuthenticationToken'),
    tokenChanged: fc.boolean(),
  }),
  fc.constant<ScriptedAnswer>({ network: 'before-send' }),
  fc.record({ network: fc.constant('after-send' as const), accepted: fc.boolean() }),
);

const crashPoint = fc.option(
  fc.constantFrom<CrashPoint>('before-mark', 'after-mark', 'during-send', 'after-send', 'after-record'),
  { nil: undefined },
);

const scenario = fc.record({
  policy: fc.constantFrom<OnUnknownPolicy>('hold', 'verify', 'verify-then-resend', 'resend'),
  script: fc.array(graphAnswer, { maxLength: 6 }),
  copies: fc.array(
    fc.record({
      crash: crashPoint,
      readMs: fc.constantFrom(0, 5_000, 70_000, 120_000),
      gateMs: fc.constantFrom(0, 1_000, 60_000),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  postMs: fc.constantFrom(0, 10_000, 29_000),
  redeliveryMs: fc.constantFrom(30_000, 60_000, 120_000),
});

class Crash extends Error {
  constructor(point: CrashPoint) {
    super(`crashed at ${point}`);
    this.name = 'Crash';
  }
}

/** Errors after which the host retries the message (it was not acked); anything else is a bug. */
const HOST_RETRIES = new Set(['Crash', 'AnswerNotRecordedError', 'LedgerConflictError']);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(s: fc.Scheduler, sc: Scenario) {
  const h = createHarness({
    script: sc.script,
    settings: { onUnknown: sc.policy, leaseMs: LEASE_MS, sendTimeoutMs: 30_000, verifyGraceMs: 600_000 },
    files: { [BLOB]: Buffer.from('%PDF-1.4 offer') },
  });
  // A gate that gives up on a busy mailbox at once (its wait is real time, which the model does not move).
  const gate = createLocalFlowGate({ appConcurrency: 4, mailboxConcurrency: 2, maxWaitMs: 5 }, h.clock);
  const reopened: string[] = [];
  // Every lease must cover the full lease time from the moment it is written, however long the copy
  // spent before (reading attachments, waiting at the gate): shorter leases let a second copy in.
  const shortLeases: number[] = [];
  const marks = new Set<string>();
  let everSent = false;
  const unexpected: string[] = [];

  // Every port call completes when the scheduler says so: this is where copies interleave. A failure
  // travels as a value until its turn comes, so no rejection sits unhandled while it waits.
  const scheduled = <A extends unknown[], T>(fn: (...args: A) => Promise<T>) => {
    const inTurn = s.scheduleFunction(async (...args: A) => {
      try {
        return { ok: true as const, value: await fn(...args) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    return async (...args: A): Promise<T> => {
      const result = await inTurn(...args);
      if (result.ok) return result.value;
      throw result.error;
    };
  };
  const ledger: Ledger = {
    read: scheduled((...args: Parameters<typeof h.ledger.read>) => h.ledger.read(...args)),
    insert: scheduled((...args: Parameters<typeof h.ledger.insert>) => h.ledger.insert(...args)),
    claimKey: scheduled((...args: Parameters<typeof h.ledger.claimKey>) => h.ledger.claimKey(...args)),
    update: scheduled(async (record: MailRecord, attempts?: AttemptRecord[]) => {
      if (record.state === 'sending' && record.lease && !marks.has(record.lease.attemptId)) {
        marks.add(record.lease.attemptId);
        const covered = Date.parse(record.lease.until) - h.clock.now();
        if (covered < LEASE_MS) shortLeases.push(covered);
      }
      const result = await h.ledger.update(record, attempts);
      if (result.value.key === KEY) {
        if (everSent && result.value.state !== 'sent') reopened.push(result.value.state);
        everSent ||= result.value.state === 'sent';
      }
      return result;
    }),
    history: (businessId) => h.ledger.history(businessId),
    index: scheduled((...args: Parameters<typeof h.ledger.index>) => h.ledger.index(...args)),
    lookup: (kind, id) => h.ledger.lookup(kind, id),
  };
  const mailer = {
    sendMail: scheduled(async (request: Parameters<typeof h.mailer.sendMail>[0]) => {
      const answer = await h.mailer.sendMail(request);
      h.clock.advance(sc.postMs);
      return answer;
    }),
    findByKey: scheduled((...args: Parameters<typeof h.mailer.findByKey>) => h.mailer.findByKey(...args)),
  };
  const slow = (ms: number) => {
    h.clock.advance(ms);
    return Promise.resolve();
  };
  const depsFor = (copy: { readMs: number; gateMs: number }, crash?: CrashPoint) => ({
    ...h,
    ledger,
    mailer,
    attachments: {
      read: scheduled(async (path: string, maxBytes: number) => {
        await slow(copy.readMs);
        return h.attachments.read(path, maxBytes);
      }),
    },
    gate: {
      ...gate,
      acquire: scheduled(async (request: Parameters<typeof gate.acquire>[0]) => {
        await slow(copy.gateMs);
        return gate.acquire(request);
      }),
    },
    queue: {
      name: h.queue.name,
      send: scheduled((...args: Parameters<typeof h.queue.send>) => h.queue.send(...args)),
    },
    held: {
      name: h.held.name,
      send: scheduled((...args: Parameters<typeof h.held.send>) => h.held.send(...args)),
    },
    poison: {
      name: h.poison.name,
      send: scheduled((...args: Parameters<typeof h.poison.send>) => h.poison.send(...args)),
    },
    crashHook: (point: CrashPoint) => {
      if (point === crash) throw new Crash(point);
    },
  });

  // Phase 1: every copy at once, each with its own crash point and slowness.
  let unacked = 0;
  const settle = (run: Promise<unknown>) =>
    run.then(
      () => undefined,
      (e: unknown) => {
        const name = e instanceof Error ? e.name : String(e);
        if (!HOST_RETRIES.has(name)) unexpected.push(name);
        unacked++;
      },
    );
  const runs = sc.copies.map((copy) =>
    settle(createDeliver(depsFor(copy, copy.crash))({ text: TEXT, dequeueCount: 1 })),
  );
  await s.waitFor(Promise.all(runs));

  // Phase 2: the queue's part. Unacked copies come back after their visibility timeout; deferred copies
  // when due. No more crashes.
  const plain = createDeliver(depsFor({ readMs: 0, gateMs: 0 }));
  for (let round = 0; round < 300 && (unacked > 0 || h.queue.entries().length > 0); round++) {
    if (unacked > 0) {
      unacked--;
      h.clock.advance(sc.redeliveryMs);
      await s.waitFor(settle(plain({ text: TEXT, dequeueCount: 2 })));
      continue;
    }
    const [entry] = h.queue.entries();
    if (!entry) break;
    h.clock.advance(Math.max(0, entry.visibleAt - h.clock.now()));
    const [received] = await h.queue.receive(1, 30);
    if (!received) throw new Error('a due copy was not visible');
    await h.queue.delete(received);
    await s.waitFor(settle(plain({ text: received.text, dequeueCount: received.dequeueCount })));
  }
  return { h, reopened, shortLeases, unexpected, unacked };
}

describe('the delivery core under random interleavings, crashes and Graph answers', () => {
  it('never sends one key twice (except resend after an unknown), never reopens sent, always ends recorded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
        const { h, reopened, shortLeases, unexpected, unacked } = await runScenario(s, sc);
        const sends = h.mailer.sentKeys.filter((k) => k === KEY).length;
        const unknownSeen =
          h.events('Mail.Unknown').length > 0 || h.attempts().some((a) => a.outcome === 'unknown');

        expect(unexpected).toEqual([]);
        if (!(sc.policy === 'resend' && unknownSeen)) expect(sends).toBeLessThanOrEqual(1);
        expect(reopened).toEqual([]);
        expect(shortLeases).toEqual([]);

        expect(unacked).toBe(0);
        expect(h.queue.entries()).toEqual([]);
        const row = await h.state(BID, KEY);
        expect(row).toBeDefined();
        if (!row) return;
        expect(['sent', 'failed', 'expired', 'unknown']).toContain(row.state);
        if (row.state === 'sent') expect(sends).toBeGreaterThanOrEqual(1);
        if (row.state === 'failed') {
          expect(row.poisonedAt).toBeDefined();
          expect(h.poison.texts()).toContain(TEXT);
          if (sc.policy !== 'resend') expect(sends).toBe(0);
        }
        if (row.state === 'unknown') {
          expect(row.heldAt).toBeDefined();
          expect(h.held.texts()).toContain(TEXT);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 600_000);
});
