import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startGuaranteeStack, type GuaranteeStack } from '../support/guarantee-stack.js';
import { startWorkerFleet } from '../support/worker-fleet.js';
import { sampleMessages } from './support/messages.js';
import { reportsFor } from './support/reports.js';

// A key identifies one email across the whole ledger. Through a real worker process, Table Storage on
// Azurite and the simulator over HTTPS: the same idempotency key under a second businessId (one
// differing only in case, whose partition is another) is refused as a KeyConflict, never sent, and
// `trace --key` still answers with the first businessId's email.
describe('one key, two businessIds, end to end', () => {
  let stack: GuaranteeStack | undefined;

  beforeAll(async () => {
    stack = await startGuaranteeStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('sends the first, files the second as a KeyConflict in its own partition, poisons its original bytes', async () => {
    if (!stack) throw new Error('no stack');
    const lane = await stack.newLane('keyscope');
    const [first] = await sampleMessages('keyscope', 1);
    if (!first) throw new Error('no sample');
    const otherBusinessId = first.businessId.toLowerCase();
    expect(otherBusinessId).not.toBe(first.businessId);
    const second = JSON.stringify({ ...JSON.parse(first.text), businessId: otherBusinessId });

    const fleet = startWorkerFleet({ env: lane.env, count: 1, cwd: stack.dir });
    try {
      await lane.enqueue(first.text);
      await fleet.waitFor((r) => reportsFor(r, first.key).some((x) => x.outcome === 'sent'), 20_000, 'sent');
      await lane.enqueue(second);
      await fleet.waitFor(
        (r) => r.some((x) => x.code === 'KeyConflict' && x.businessId === otherBusinessId),
        20_000,
        'the KeyConflict',
      );
      await lane.whenQueueEmpty(30_000);
    } finally {
      await fleet.stopAll();
    }

    expect(stack.sim.stats().sendsByKey[first.key]).toBe(1);
    expect(await lane.poisonTexts()).toEqual([second]);
    const conflict = await lane.traceCli(otherBusinessId);
    expect(conflict?.records.map((r) => [r.state, r.reason?.code])).toEqual([['failed', 'KeyConflict']]);
    const original = await lane.trace(first.businessId);
    expect(original.records.map((r) => [r.key, r.state])).toEqual([[first.key, 'sent']]);

    const byKey = await runCli(['trace', '--key', first.key, '--json'], {
      env: { ...process.env, ...lane.env },
      cwd: stack.dir,
      timeoutMs: 30_000,
    });
    expect(JSON.parse(byKey.stdout)).toMatchObject({ found: true, businessId: first.businessId });
  }, 120_000);
});
