import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireGraphToken,
  callGraph,
  foundCount,
  keyProperty,
  lookupPath,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createHeldClock, type HeldClock } from './support/held-clock.js';

const A = 'offers@contoso.com';

describe('latency', () => {
  let t: TestSimulator;
  let clock: HeldClock;
  let token: string;
  beforeAll(async () => {
    clock = createHeldClock();
    t = await startTestSimulator({ mailboxes: [A], clock, latencyMs: 100, latencyJitterMs: 50, seed: 7 });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    clock.releaseAll();
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  const send = (key: string, signal?: AbortSignal) =>
    fetch(`${t.sim.baseUrl}/v1.0/users/${A}/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(mailBody({ singleValueExtendedProperties: keyProperty(key) })),
      ...(signal ? { signal } : {}),
    });

  it('comes after acceptance: a client that gives up waiting has still sent the mail', async () => {
    const timeout = new AbortController();
    const reply = send('k-slow', timeout.signal);
    await clock.whenSleeping(1);
    timeout.abort();
    await expect(reply).rejects.toThrow();

    expect(t.sim.stats().sendsByKey).toEqual({ 'k-slow': 1 });
    const lookup = callGraph(t.sim, lookupPath(A, 'k-slow'), { token });
    await clock.whenSleeping(2);
    clock.releaseAll();
    expect(foundCount(await lookup)).toBe(1);
  });

  it('draws jitter from the seed: within bounds, and the same again after a reset', async () => {
    const run = async () => {
      const start = clock.asked.length;
      for (let i = 0; i < 6; i++) {
        const reply = send(`k-${i}`);
        await clock.whenSleeping(1);
        clock.releaseAll();
        expect((await reply).status).toBe(202);
      }
      return clock.asked.slice(start);
    };
    const first = await run();
    for (const ms of first) {
      expect(ms).toBeGreaterThanOrEqual(100);
      expect(ms).toBeLessThanOrEqual(150);
    }
    expect(new Set(first).size).toBeGreaterThan(1);
    t.sim.reset();
    expect(await run()).toEqual(first);
  });
});
