import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sim/index.js';
import {
  acquireGraphToken,
  callGraph,
  lookupPath,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createManualClock, type ManualClock } from './support/manual-clock.js';

const A = 'offers@contoso.com';
const B = 'policy@contoso.com';

describe('pause accounting', () => {
  let t: TestSimulator;
  let clock: ManualClock;
  let token: string;
  beforeAll(async () => {
    // On a whole second, so an HTTP-date Retry-After lands exactly.
    clock = createManualClock(Date.parse('2026-11-25T10:00:00Z'));
    t = await startTestSimulator({ mailboxes: [A, B], clock });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  const send = async (mailbox: string) =>
    (await callGraph(t.sim, `/v1.0/users/${mailbox}/sendMail`, { method: 'POST', token, body: mailBody() }))
      .status;
  const throttleOnce = async (action: Omit<Extract<FaultRule['action'], { kind: 'status' }>, 'kind'>) => {
    t.sim.faults.add({ times: 1, match: { sender: A }, action: { kind: 'status', ...action } });
    expect(await send(A)).toBe(429);
  };
  const calls = () => t.sim.stats().callsDuringPause;

  it('a 429 naming another limit pauses the whole app: every mailbox’s call inside it counts', async () => {
    await throttleOnce({
      status: 429,
      code: 'ApplicationThrottled',
      message: 'Application is over its IncomingBytes limit.',
      retryAfter: '2',
    });
    clock.advance(1_999);
    expect(await send(B)).toBe(202);
    expect((await callGraph(t.sim, lookupPath(A, 'k-1'), { token })).status).toBe(200);
    expect(calls()).toEqual({ total: 2, byMailbox: { [B]: 1, [A]: 1 } });
    clock.advance(1);
    expect(await send(B)).toBe(202);
    expect(calls().total).toBe(2);
    expect(t.sim.stats().throttled).toEqual({ total: 1, app: 1, mailbox: 0 });
  });

  it('a 429 naming MailboxConcurrency pauses only that mailbox', async () => {
    await throttleOnce({
      status: 429,
      code: 'ApplicationThrottled',
      message: 'Application is over its MailboxConcurrency limit.',
      retryAfter: '5',
    });
    clock.advance(4_000);
    expect(await send(B)).toBe(202);
    expect(await send(A)).toBe(202);
    expect(calls()).toEqual({ total: 1, byMailbox: { [A]: 1 } });
    expect(t.sim.stats().throttled).toEqual({ total: 1, app: 0, mailbox: 1 });
  });

  it('a rule can name the scope; Retry-After may be an HTTP-date', async () => {
    const until = new Date(clock.now() + 3_000).toUTCString();
    await throttleOnce({ status: 429, code: 'TooManyRequests', retryAfter: until, pauseScope: 'mailbox' });
    clock.advance(2_999);
    expect(await send(B)).toBe(202);
    expect(await send(A)).toBe(202);
    clock.advance(1);
    expect(await send(A)).toBe(202);
    expect(calls()).toEqual({ total: 1, byMailbox: { [A]: 1 } });
  });

  it('a 429 without Retry-After is counted but announces no pause', async () => {
    await throttleOnce({ status: 429, code: 'TooManyRequests' });
    expect(await send(A)).toBe(202);
    expect(calls().total).toBe(0);
    expect(t.sim.stats().throttled.total).toBe(1);
  });

  it('a later 429 extends a pause, never shortens it', async () => {
    await throttleOnce({ status: 429, code: 'TooManyRequests', retryAfter: '10' });
    await throttleOnce({ status: 429, code: 'TooManyRequests', retryAfter: '1' });
    clock.advance(5_000);
    expect(await send(B)).toBe(202);
    // The second 429's own call arrived inside the first pause, too.
    expect(calls().total).toBe(2);
  });
});
