import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorStats } from '../../src/sim/index.js';
import {
  acquireGraphToken,
  callGraph,
  keyProperty,
  mailBody,
  startTestSimulator,
  type TestSimulator,
} from './support/graph.js';
import { createManualClock } from './support/manual-clock.js';

const A = 'offers@contoso.com';
const B = 'policy@contoso.com';

describe('the admin endpoints, for tests and benchmarks in other processes', () => {
  let t: TestSimulator;
  let token: string;
  const clock = createManualClock();
  beforeAll(async () => {
    t = await startTestSimulator({ mailboxes: [A, B], clock, mailboxPerMinute: 1 });
    token = await acquireGraphToken(t.sim);
  });
  afterAll(async () => {
    await t.stop();
  });

  const send = (mailbox: string, key: string) =>
    callGraph(t.sim, `/v1.0/users/${mailbox}/sendMail`, {
      method: 'POST',
      token,
      body: mailBody({ singleValueExtendedProperties: keyProperty(key) }),
    });
  const stats = async () => (await callGraph(t.sim, '/_sim/stats')).json() as SimulatorStats;

  it('report what clients did, filter accepted mail by key, and start over on reset', async () => {
    const fault = await callGraph(t.sim, '/_sim/faults', {
      body: {
        times: 1,
        match: { key: 'k-throttled' },
        action: { kind: 'status', status: 429, code: 'TooManyRequests', retryAfter: '60' },
      },
    });
    const { id } = fault.json() as { id: string };
    expect((await send(A, 'k-throttled')).status).toBe(429);
    expect((await send(A, 'k-1')).status).toBe(202);
    expect((await send(A, 'k-2')).status).toBe(202);
    expect((await send(B, 'k-1')).status).toBe(202);

    expect(await stats()).toMatchObject({
      accepted: 3,
      inFlight: 0,
      maxInFlight: 1,
      maxInFlightByMailbox: { [A]: 1, [B]: 1 },
      acceptedByMailbox: { [A]: 2, [B]: 1 },
      overRateByMailbox: { [A]: 1 },
      overBudgetByMailbox: {},
      sendsByKey: { 'k-1': 2, 'k-2': 1 },
      rejectedByStatus: { '429': 1 },
      throttled: { total: 1, app: 1, mailbox: 0 },
      callsDuringPause: { total: 3, byMailbox: { [A]: 2, [B]: 1 } },
      faultsApplied: { [id]: 1 },
      lookups: 0,
      resets: 0,
    });
    const byKey = (await callGraph(t.sim, '/_sim/accepted?key=k-1')).json() as {
      value: { sender: string; key: string }[];
    };
    expect(byKey.value.map((m) => [m.sender, m.key])).toEqual([
      [A, 'k-1'],
      [B, 'k-1'],
    ]);
    const bySender = (await callGraph(t.sim, `/_sim/accepted?sender=${B}`)).json() as { value: unknown[] };
    expect(bySender.value).toHaveLength(1);

    await callGraph(t.sim, '/_sim/faults', {
      body: { action: { kind: 'status', status: 503, code: 'ServiceUnavailable' } },
    });
    expect((await callGraph(t.sim, '/_sim/reset', { method: 'POST' })).status).toBe(200);
    expect(t.sim.faults.list()).toEqual([]);
    expect(await stats()).toMatchObject({
      accepted: 0,
      maxInFlightByMailbox: {},
      acceptedByMailbox: {},
      overRateByMailbox: {},
      throttled: { total: 0 },
      callsDuringPause: { total: 0, byMailbox: {} },
      faultsApplied: {},
    });
    // The pause and the fault are gone: this call is served and not counted.
    expect((await send(A, 'k-3')).status).toBe(202);
    expect((await stats()).callsDuringPause.total).toBe(0);
  });
});
