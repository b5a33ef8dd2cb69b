import { describe, expect, it } from 'vitest';
import { createLocalFlowGate } from '../../src/core/flow/local-flow-gate.js';
import { Semaphore } from '../../src/core/flow/semaphore.js';
import type { GateDecision } from '../../src/ports/flow-gate.js';
import { createManualClock } from '../fakes/clock.js';

const granted = (d: GateDecision) => {
  if (d.kind !== 'granted') throw new Error(`expected a permit, got ${d.reason}`);
  return d;
};

describe('the semaphore', () => {
  it('hands a released permit to the longest waiter first', async () => {
    const s = new Semaphore(1);
    expect(s.tryAcquire()).toBe(true);
    const order: string[] = [];
    const first = s.acquire().then(() => order.push('first'));
    const second = s.acquire().then(() => order.push('second'));
    s.release();
    await first;
    s.release();
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('gives up a wait when the signal aborts, holding nothing', async () => {
    const s = new Semaphore(1);
    s.tryAcquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    s.release();
    expect(s.inUse).toBe(0);
  });
});

describe('the in-process flow gate', () => {
  it('never lets more than the mailbox limit through for one mailbox', async () => {
    const gate = createLocalFlowGate(
      { appConcurrency: 4, mailboxConcurrency: 2, maxWaitMs: 50 },
      createManualClock(),
    );
    const a = granted(await gate.acquire({ sender: 'offers@contoso.com', recipients: 1 }));
    granted(await gate.acquire({ sender: 'offers@contoso.com', recipients: 1 }));
    const third = await gate.acquire({ sender: 'offers@contoso.com', recipients: 1 });
    expect(third).toMatchObject({ kind: 'defer', reason: 'MailboxBusy' });
    // Another mailbox is not held up by a busy one.
    granted(await gate.acquire({ sender: 'people@contoso.com', recipients: 1 }));
    await a.release();
    granted(await gate.acquire({ sender: 'offers@contoso.com', recipients: 1 }));
  });

  it('never lets more than the app limit through across mailboxes', async () => {
    const gate = createLocalFlowGate(
      { appConcurrency: 2, mailboxConcurrency: 2, maxWaitMs: 50 },
      createManualClock(),
    );
    granted(await gate.acquire({ sender: 'a@contoso.com', recipients: 1 }));
    granted(await gate.acquire({ sender: 'b@contoso.com', recipients: 1 }));
    expect(await gate.acquire({ sender: 'c@contoso.com', recipients: 1 })).toMatchObject({
      reason: 'AppBusy',
    });
  });

  it('a waiter gets the permit as soon as one is released', async () => {
    const gate = createLocalFlowGate(
      { appConcurrency: 1, mailboxConcurrency: 1, maxWaitMs: 10_000 },
      createManualClock(),
    );
    const first = granted(await gate.acquire({ sender: 'a@contoso.com', recipients: 1 }));
    const waiting = gate.acquire({ sender: 'a@contoso.com', recipients: 1 });
    await first.release();
    expect((await waiting).kind).toBe('granted');
  });

  it('pauses a mailbox or the whole app until the pause ends; the longest pause wins; one start per pause', async () => {
    const clock = createManualClock();
    const gate = createLocalFlowGate({ appConcurrency: 4, mailboxConcurrency: 2, maxWaitMs: 50 }, clock);
    const now = clock.now();
    expect(
      await gate.pause({ sender: 'a@contoso.com', scope: 'mailbox', untilMs: now + 10_000, cause: 'x' }),
    ).toEqual({
      started: true,
    });
    expect(
      await gate.pause({ sender: 'a@contoso.com', scope: 'mailbox', untilMs: now + 5_000, cause: 'x' }),
    ).toEqual({
      started: false,
    });
    expect(await gate.acquire({ sender: 'a@contoso.com', recipients: 1 })).toEqual({
      kind: 'defer',
      delayMs: 10_000,
      reason: 'Paused',
    });
    granted(await gate.acquire({ sender: 'b@contoso.com', recipients: 1 }));
    await gate.pause({ sender: 'b@contoso.com', scope: 'app', untilMs: now + 3_000, cause: 'x' });
    expect(await gate.acquire({ sender: 'c@contoso.com', recipients: 1 })).toMatchObject({
      reason: 'Paused',
    });
    clock.advance(10_001);
    granted(await gate.acquire({ sender: 'a@contoso.com', recipients: 1 }));
  });
});
