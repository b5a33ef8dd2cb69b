import { describe, expect, it } from 'vitest';
import { createLocalFlowGate } from '../../src/core/flow/local-flow-gate.js';
import { createSharedFlowGate, type SharedGateSettings } from '../../src/core/flow/shared-flow-gate.js';
import type { FlowGate, GateDecision } from '../../src/ports/flow-gate.js';
import { createManualClock, fixedRandom, sequentialIds, type ManualClock } from '../fakes/clock.js';
import { createMemoryGateStore } from '../fakes/gate-store.js';

const settings: SharedGateSettings = {
  appConcurrency: 4,
  mailboxConcurrency: 2,
  mailboxPerMinute: 30,
  recipientsPerDay: 9000,
  leaseMs: 90_000,
  rateWindowMs: 60_000,
  bucketMs: 3_600_000,
  budgetBuckets: 24,
  maxWaitMs: 2_000,
  spreadMs: 5_000,
};

/** Several gates over one store: several instances of the app sharing Table Storage. */
function instances(n: number, overrides: Partial<SharedGateSettings> = {}) {
  const clock = createManualClock();
  const store = createMemoryGateStore({ clock });
  const gates: FlowGate[] = Array.from({ length: n }, (_, i) =>
    createSharedFlowGate({
      store,
      local: createLocalFlowGate({ appConcurrency: 4, mailboxConcurrency: 4, maxWaitMs: 1_000 }, clock),
      settings: { ...settings, ...overrides },
      clock,
      ids: sequentialIds(`0000000${i}-0000-4000-8000-`),
      random: fixedRandom(0.5),
    }),
  );
  return { clock, store, gates };
}

const granted = (d: GateDecision) => {
  if (d.kind !== 'granted') throw new Error(`expected a permit, got ${d.reason}`);
  return d;
};
const ask = (gate: FlowGate | undefined, sender = 'offers@contoso.com', recipients = 1) => {
  if (!gate) throw new Error('no gate');
  return gate.acquire({ sender, recipients });
};

describe('the shared flow gate (limits across instances)', () => {
  it('caps a mailbox’s in-flight sends across instances, and frees the slot on release', async () => {
    const { gates } = instances(3);
    const a = granted(await ask(gates[0]));
    granted(await ask(gates[1]));
    expect(await ask(gates[2])).toMatchObject({ kind: 'defer', reason: 'MailboxBusy' });
    await a.release();
    granted(await ask(gates[2]));
  });

  it('caps in-flight requests app-wide across mailboxes', async () => {
    const { gates } = instances(2, { appConcurrency: 3 });
    granted(await ask(gates[0], 'a@contoso.com'));
    granted(await ask(gates[1], 'b@contoso.com'));
    granted(await ask(gates[0], 'c@contoso.com'));
    expect(await ask(gates[1], 'd@contoso.com')).toMatchObject({ kind: 'defer', reason: 'AppBusy' });
  });

  it('frees a crashed holder’s slot when its lease runs out', async () => {
    const { clock, gates } = instances(2, { mailboxConcurrency: 1 });
    granted(await ask(gates[0])); // never released: the instance died
    expect(await ask(gates[1])).toMatchObject({ kind: 'defer' });
    clock.advance(settings.leaseMs);
    granted(await ask(gates[1]));
  });

  it('never lets more than the per-minute rate through in any window, across instances', async () => {
    const { clock, gates } = instances(2, { mailboxPerMinute: 3 });
    for (const g of [0, 1, 0]) await granted(await ask(gates[g])).release();
    clock.advance(10_000);
    const fourth = await ask(gates[1]);
    expect(fourth).toMatchObject({ kind: 'defer', reason: 'RateLimit' });
    // The first token frees 60 s after its use (stamped a second late: storage dates are whole seconds),
    // not at a minute boundary.
    expect(fourth.kind === 'defer' && fourth.delayMs).toBe(51_001);
    clock.advance(51_001);
    granted(await ask(gates[0]));
  });

  it('counts a send from when it ended, not when its permit was granted', async () => {
    const { clock, gates } = instances(1, { mailboxPerMinute: 1 });
    const slow = granted(await ask(gates[0]));
    clock.advance(20_000); // a slow POST: Exchange accepts the mail at its end, not at the claim
    await slow.release();
    clock.advance(60_000);
    // The token frees 60 s after the send ended (+1 s for whole-second dates): a short wait, made in process.
    const before = clock.now();
    granted(await ask(gates[0]));
    expect(clock.now() - before).toBe(1_001);
  });

  it('defers a message that would overrun the rolling recipient budget until the window allows it', async () => {
    const { clock, gates } = instances(2, { recipientsPerDay: 10 });
    await granted(await ask(gates[0], 'offers@contoso.com', 6)).release();
    clock.advance(3_600_000);
    const over = await ask(gates[1], 'offers@contoso.com', 6);
    expect(over).toMatchObject({ kind: 'defer', reason: 'RecipientBudget' });
    // Their hour's sends may have come at its very end: they leave the 24-hour window 24 h after it.
    expect(over.kind === 'defer' && over.delayMs).toBe(24 * 3_600_000 + 1);
    await granted(await ask(gates[1], 'offers@contoso.com', 4)).release();
    clock.advance(23 * 3_600_000);
    expect(await ask(gates[0], 'offers@contoso.com', 6)).toMatchObject({
      kind: 'defer',
      reason: 'RecipientBudget',
    });
    clock.advance(3_600_000 + 1);
    granted(await ask(gates[0], 'offers@contoso.com', 6));
  });

  it('a pause after a 429 holds every instance until it ends, spread; one instance reports it', async () => {
    const { clock, gates } = instances(2);
    const until = clock.now() + 7_000;
    expect(
      await gates[0]?.pause({ sender: 'offers@contoso.com', scope: 'app', untilMs: until, cause: 'x' }),
    ).toEqual({
      started: true,
    });
    expect(
      await gates[1]?.pause({ sender: 'offers@contoso.com', scope: 'app', untilMs: until - 1, cause: 'x' }),
    ).toEqual({
      started: false,
    });
    const held = await ask(gates[1], 'people@contoso.com');
    expect(held).toMatchObject({ kind: 'defer', reason: 'Paused' });
    expect(held.kind === 'defer' && held.delayMs).toBe(7_000 + 2_500);
    clock.advance(7_001);
    granted(await ask(gates[1], 'people@contoso.com'));
  });

  it('a mailbox pause holds only that mailbox', async () => {
    const { clock, gates } = instances(2);
    await gates[0]?.pause({
      sender: 'offers@contoso.com',
      scope: 'mailbox',
      untilMs: clock.now() + 3_000,
      cause: 'x',
    });
    expect(await ask(gates[1], 'offers@contoso.com')).toMatchObject({ reason: 'Paused' });
    granted(await ask(gates[1], 'people@contoso.com'));
  });

  it('two instances racing for the last slot: both read it free, exactly one claim lands', async () => {
    const { store, gates } = instances(2, { mailboxConcurrency: 1 });
    // Hold both reads until each instance has read: both then plan to take the same free slot.
    const read = store.read.bind(store);
    let reads = 0;
    let releaseFirst: () => void = () => undefined;
    store.read = async (prefixes) => {
      const view = await read(prefixes);
      reads += 1;
      if (reads === 1) await new Promise<void>((go) => (releaseFirst = go));
      else if (reads === 2) releaseFirst();
      return view;
    };
    const write = store.write.bind(store);
    const commits: boolean[] = [];
    store.write = async (writes) => {
      const result = await write(writes);
      commits.push(result.ok);
      return result;
    };
    const [a, b] = await Promise.all([ask(gates[0]), ask(gates[1])]);
    expect([a.kind, b.kind].sort()).toEqual(['defer', 'granted']);
    expect(commits.slice(0, 2).sort()).toEqual([false, true]);
  });

  it('keeps storage round trips per grant low: one read and one write, one write to release', async () => {
    const { store, gates } = instances(1);
    const permit = granted(await ask(gates[0]));
    expect(store.calls).toEqual({ read: 1, write: 1 });
    await permit.release();
    expect(store.calls).toEqual({ read: 1, write: 2 });
  });
});

export type { ManualClock };
