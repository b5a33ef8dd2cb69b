import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/sim/concurrency-limit.js';
import { compose, type SimContext } from '../../src/sim/pipeline.js';
import {
  acquireGraphToken,
  callGraph,
  graphError,
  lookupPath,
  mailBody,
  startTestSimulator,
  type GraphReply,
  type TestSimulator,
} from './support/graph.js';
import { createHeldClock, type HeldClock } from './support/held-clock.js';

const A = 'offers@contoso.com';
const B = 'policy@contoso.com';
const C = 'onboarding@contoso.com';

describe('Graph’s concurrency limits', () => {
  let t: TestSimulator;
  let clock: HeldClock;
  let token: string;
  beforeAll(async () => {
    clock = createHeldClock();
    t = await startTestSimulator({
      mailboxes: [A, B, C],
      clock,
      // Every admitted request then stays open until the test releases it.
      latencyMs: 200,
      maxConcurrentPerApp: 4,
      maxConcurrentPerMailbox: 2,
      throttleRetryAfterSec: 1,
    });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    clock.releaseAll();
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });
  afterEach(() => {
    clock.releaseAll();
  });

  const send = (mailbox: string) =>
    callGraph(t.sim, `/v1.0/users/${mailbox}/sendMail`, { method: 'POST', token, body: mailBody() });

  /** Waits until `held` requests are held open, then for the one answered meanwhile (the refused one). */
  async function refusedWhileHeld(replies: Promise<GraphReply>[], held: number): Promise<GraphReply> {
    await clock.whenSleeping(held);
    return Promise.race(replies);
  }

  it('refuses exactly one of five requests at once across mailboxes, with 429 and Retry-After', async () => {
    const replies = [A, A, B, B, C].map(send);
    const refused = await refusedWhileHeld(replies, 4);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(graphError(refused)).toMatchObject({
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
    });
    expect(t.sim.stats()).toMatchObject({ inFlight: 4, maxInFlight: 5, accepted: 4 });

    clock.releaseAll();
    const statuses = (await Promise.all(replies)).map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
    expect(t.sim.stats()).toMatchObject({ accepted: 4, inFlight: 0, throttled: { total: 1 } });
  });

  it('counts look-ups against the same limit: a fifth request, a look-up, is refused', async () => {
    const sends = [A, A, B, C].map(send);
    await clock.whenSleeping(4);
    const lookup = await callGraph(t.sim, lookupPath(C, 'k-1'), { token });
    expect(lookup.status).toBe(429);
    clock.releaseAll();
    expect((await Promise.all(sends)).map((r) => r.status)).toEqual([202, 202, 202, 202]);
  });

  it('refuses a third request to one mailbox while another mailbox is still served', async () => {
    const replies = [A, A, A, B].map(send);
    const refused = await refusedWhileHeld(replies, 3);
    expect(refused.status).toBe(429);
    expect(graphError(refused).code).toBe('ApplicationThrottled');
    clock.releaseAll();
    const answered = await Promise.all(replies);
    expect(answered.filter((r) => r.status === 429)).toHaveLength(1);
    expect(answered[3]?.status).toBe(202);
    const stats = t.sim.stats();
    expect(stats.acceptedByMailbox).toEqual({ [A]: 2, [B]: 1 });
    expect(stats.maxInFlightByMailbox).toEqual({ [A]: 3, [B]: 1 });
    expect(stats.throttled).toEqual({ total: 1, app: 0, mailbox: 1 });
  });

  it('its 429 pauses that mailbox for Retry-After: a call inside counts, one after does not', async () => {
    const replies = [A, A, A].map(send);
    await refusedWhileHeld(replies, 2);
    clock.releaseAll();
    await Promise.all(replies);

    const sendNow = async (mailbox: string) => {
      const reply = send(mailbox);
      await clock.whenSleeping(1);
      clock.releaseAll();
      return (await reply).status;
    };
    clock.advance(999);
    expect(await sendNow(A)).toBe(202);
    expect(await sendNow(B)).toBe(202);
    expect(t.sim.stats().callsDuringPause).toEqual({ total: 1, byMailbox: { [A]: 1 } });
    clock.advance(1);
    expect(await sendNow(A)).toBe(202);
    expect(t.sim.stats().callsDuringPause.total).toBe(1);
  });
});

describe('a concurrency limit of 0', () => {
  it('refuses nothing', async () => {
    const limit = createConcurrencyLimit({ perApp: 0, perMailbox: 0, retryAfterSec: 1, now: () => 0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = compose([
      limit.step,
      async (ctx) => {
        await gate;
        ctx.response = { status: 202, headers: {}, body: '' };
      },
    ]);
    const contexts = Array.from({ length: 10 }, () => fakeContext(A));
    const running = contexts.map(run);
    expect(limit.inFlightByMailbox()).toEqual({ [A]: 10 });
    release();
    await Promise.all(running);
    expect(contexts.map((c) => c.response.status)).toEqual(Array.from({ length: 10 }, () => 202));
  });
});

function fakeContext(mailbox: string): SimContext {
  return {
    request: {
      method: 'POST',
      url: new URL(`https://127.0.0.1/v1.0/users/${mailbox}/sendMail`),
      headers: {},
      body: Buffer.alloc(0),
      bodyBytes: 0,
      bodyTooLarge: false,
    },
    requestId: 'r',
    clientRequestId: 'c',
    clientRequestIdSent: false,
    receivedAt: 0,
    route: { name: 'sendMail', params: { mailbox }, auth: true },
    mailbox,
    response: { status: 500, headers: {}, body: '' },
  };
}
