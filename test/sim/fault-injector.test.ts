import { access } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/sim/index.js';
import {
  acquireGraphToken,
  callGraph,
  foundCount,
  graphError,
  GUID,
  keyProperty,
  lookupPath,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createHeldClock, type HeldClock } from './support/held-clock.js';

const OFFERS = 'offers@contoso.com';
const POLICY = 'policy@contoso.com';
const sendPath = (mailbox: string) => `/v1.0/users/${mailbox}/sendMail`;

describe('fault injection', () => {
  let t: TestSimulator;
  let clock: HeldClock;
  let token: string;
  beforeAll(async () => {
    clock = createHeldClock();
    t = await startTestSimulator({ mailboxes: [OFFERS, POLICY], clock, seed: 42 });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    clock.releaseAll();
    await t.stop();
  });
  beforeEach(() => {
    t.sim.reset();
  });

  const send = (key: string, mailbox = OFFERS) =>
    callGraph(t.sim, sendPath(mailbox), {
      method: 'POST',
      token,
      body: mailBody({ singleValueExtendedProperties: keyProperty(key) }),
    });
  const lookup = (key: string, mailbox = OFFERS) => callGraph(t.sim, lookupPath(mailbox, key), { token });
  const add = (rule: FaultRule) => t.sim.faults.add(rule);

  describe('answers instead of Graph', () => {
    it('a status fault answers in Graph’s error shape with Retry-After, and accepts nothing', async () => {
      const id = add({
        action: { kind: 'status', status: 503, code: 'ServiceUnavailable', retryAfter: '7' },
      });
      const reply = await send('k-503');
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('7');
      expect(reply.headers.get('request-id')).toMatch(GUID);
      expect(reply.headers.get('x-ms-ags-diagnostic')).toContain('ServerInfo');
      const error = graphError(reply);
      expect(error.code).toBe('ServiceUnavailable');
      expect(error.innerError['request-id']).toBe(reply.headers.get('request-id'));
      expect(t.sim.stats()).toMatchObject({
        accepted: 0,
        sendsByKey: {},
        rejectedByStatus: { '503': 1 },
        faultsApplied: { [id]: 1 },
      });
    });

    it('a reset drops the connection with no answer, and accepts nothing', async () => {
      add({ action: { kind: 'reset' } });
      await expect(send('k-reset')).rejects.toThrow();
      expect(t.sim.stats()).toMatchObject({ accepted: 0, resets: 1, sendsByKey: {} });
    });

    it('a delay holds the answer, and the mail is accepted only once it ends', async () => {
      add({ action: { kind: 'delay', ms: 30_000 } });
      const reply = send('k-slow');
      await clock.whenSleeping(1);
      expect(clock.asked.at(-1)).toBe(30_000);
      expect(t.sim.stats()).toMatchObject({ accepted: 0, inFlight: 1 });
      clock.releaseAll();
      expect((await reply).status).toBe(202);
      expect(t.sim.stats().sendsByKey).toEqual({ 'k-slow': 1 });
    });

    it('still answers 404 for an unknown mailbox: faults come after the mailbox check', async () => {
      add({ action: { kind: 'status', status: 500, code: 'ErrorInternalServerError' } });
      const reply = await send('k-nobody', 'nobody@contoso.com');
      expect(reply.status).toBe(404);
      expect(graphError(reply).code).toBe('ErrorInvalidUser');
      expect(t.sim.stats().faultsApplied).toEqual({});
    });
  });

  describe('after accepting the mail (the ambiguous answers)', () => {
    it('a 504 after acceptance: the mail is in the outbox, counted and found by the look-up', async () => {
      add({
        match: { operation: 'sendMail' },
        action: { kind: 'status', status: 504, code: 'UnknownError', afterAccept: true },
      });
      const reply = await send('k-504');
      expect(reply.status).toBe(504);
      expect(graphError(reply).code).toBe('UnknownError');

      expect(t.sim.stats()).toMatchObject({
        accepted: 1,
        sendsByKey: { 'k-504': 1 },
        rejectedByStatus: { '504': 1 },
      });
      const [mail] = t.sim.accepted();
      expect(mail?.requestId).toBe(reply.headers.get('request-id'));
      await access(mail?.emlPath ?? '');
      expect(foundCount(await lookup('k-504'))).toBe(1);
    });

    it('a reset after acceptance: no answer, yet the mail went', async () => {
      add({ match: { operation: 'sendMail' }, action: { kind: 'reset', afterAccept: true } });
      await expect(send('k-gone')).rejects.toThrow();
      expect(t.sim.stats()).toMatchObject({ accepted: 1, resets: 1, sendsByKey: { 'k-gone': 1 } });
      expect(foundCount(await lookup('k-gone'))).toBe(1);
    });

    it('a 202 that carries Retry-After: accepted once, whatever the header invites', async () => {
      add({ action: { kind: 'status', status: 202, code: '', retryAfter: '3', afterAccept: true } });
      const reply = await send('k-202');
      expect(reply.status).toBe(202);
      expect(reply.text).toBe('');
      expect(reply.headers.get('retry-after')).toBe('3');
      expect(t.sim.stats().sendsByKey).toEqual({ 'k-202': 1 });
    });

    it('leaves a mail Graph refuses as it was: a 400 stays a 400, nothing accepted', async () => {
      const id = add({ action: { kind: 'status', status: 500, code: 'UnknownError', afterAccept: true } });
      const reply = await callGraph(t.sim, sendPath(OFFERS), {
        method: 'POST',
        token,
        body: mailBody({ toRecipients: [] }),
      });
      expect(reply.status).toBe(400);
      expect(t.sim.stats().accepted).toBe(0);
      expect(t.sim.faults.list().find((r) => r.id === id)?.seen).toBe(0);
    });
  });

  describe('which requests a rule takes', () => {
    it('skip and times: only the 3rd matching request fails, then the rule retires', async () => {
      const id = add({
        skip: 2,
        times: 1,
        action: { kind: 'status', status: 503, code: 'ServiceUnavailable' },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(`k-${i}`)).status);
      expect(statuses).toEqual([202, 202, 503, 202]);
      expect(t.sim.faults.list()).toEqual([]);
      expect(t.sim.stats().faultsApplied).toEqual({ [id]: 1 });
    });

    it('probability: a seeded share of requests, the same ones again after a reset', async () => {
      const run = async () => {
        add({ probability: 0.5, action: { kind: 'status', status: 503, code: 'ServiceUnavailable' } });
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) statuses.push((await send(`p-${i}`)).status);
        return statuses;
      };
      const first = await run();
      expect(first).toContain(503);
      expect(first).toContain(202);
      t.sim.reset();
      expect(await run()).toEqual(first);
    });

    it('forMs: a storm of 429s that ends on the simulator clock', async () => {
      add({
        forMs: 5_000,
        action: { kind: 'status', status: 429, code: 'TooManyRequests', retryAfter: '5' },
      });
      expect((await send('s-1')).status).toBe(429);
      clock.advance(4_999);
      expect((await send('s-2')).status).toBe(429);
      clock.advance(1);
      expect((await send('s-3')).status).toBe(202);
      expect(t.sim.faults.list()).toEqual([]);
    });

    it('match: by key, by sender and by operation', async () => {
      add({ match: { key: 'k-target' }, action: { kind: 'status', status: 500, code: 'UnknownError' } });
      add({ match: { sender: 'POLICY@contoso.com' }, action: { kind: 'status', status: 503, code: 'Busy' } });
      add({ match: { operation: 'lookup' }, action: { kind: 'status', status: 502, code: 'BadGateway' } });
      expect((await send('k-target')).status).toBe(500);
      expect((await send('k-other')).status).toBe(202);
      expect((await send('k-other', POLICY)).status).toBe(503);
      expect((await lookup('k-other')).status).toBe(502);
    });

    it('a look-up rule for one key fails only the look-ups for that key', async () => {
      add({
        match: { operation: 'lookup', key: 'k-hidden' },
        action: { kind: 'status', status: 503, code: 'ServiceUnavailable' },
      });
      expect((await send('k-hidden')).status).toBe(202);
      expect((await lookup('k-hidden')).status).toBe(503);
      expect((await lookup('k-shown')).status).toBe(200);
    });
  });

  describe('over the admin API, for other processes', () => {
    it('adds, lists, removes and clears rules', async () => {
      const added = await callGraph(t.sim, '/_sim/faults', {
        body: { match: { key: 'k-admin' }, times: 2, action: { kind: 'reset', afterAccept: true } },
      });
      expect(added.status).toBe(201);
      const { id } = added.json() as { id: string };
      const other = (
        await callGraph(t.sim, '/_sim/faults', {
          body: { action: { kind: 'status', status: 503, code: 'ServiceUnavailable' }, forMs: 1000 },
        })
      ).json() as { id: string };

      const listed = (await callGraph(t.sim, '/_sim/faults')).json() as {
        value: { id: string; rule: FaultRule; seen: number; applied: number }[];
      };
      expect(listed.value.map((r) => r.id)).toEqual([id, other.id]);
      expect(listed.value[0]).toMatchObject({ rule: { times: 2 }, seen: 0, applied: 0 });

      expect((await callGraph(t.sim, `/_sim/faults/${id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await callGraph(t.sim, `/_sim/faults/${id}`, { method: 'DELETE' })).status).toBe(404);
      expect(t.sim.faults.list().map((r) => r.id)).toEqual([other.id]);
      const cleared = await callGraph(t.sim, '/_sim/faults', { method: 'DELETE' });
      expect(cleared.json()).toEqual({ cleared: 1 });
      expect((await send('k-admin')).status).toBe(202);
    });

    it('refuses an invalid rule with 400, naming the field', async () => {
      const reply = await callGraph(t.sim, '/_sim/faults', {
        body: { action: { kind: 'status', status: 504, code: 'UnknownError', afterAcept: true } },
      });
      expect(reply.status).toBe(400);
      expect(graphError(reply)).toMatchObject({ code: 'InvalidFaultRule' });
      expect(graphError(reply).message).toContain('afterAcept');
      const notJson = await callGraph(t.sim, '/_sim/faults', { method: 'POST', body: '{' });
      expect(notJson.status).toBe(400);
      expect(t.sim.faults.list()).toEqual([]);
    });
  });
});
