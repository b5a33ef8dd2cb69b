import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuaranteeStack, type GuaranteeStack } from '../support/guarantee-stack.js';
import { startWorkerFleet } from '../support/worker-fleet.js';
import { duplicates, gatherEvidence, unmarkedSends } from './support/evidence.js';
import { sampleMessages } from './support/messages.js';
import { settledKeys } from './support/reports.js';

/** How long storage stays down: queue polls, lease renewals and ledger retries all meet it. */
const DOWN_MS = 8_000;

// The whole storage account goes away (queues, tables, blobs) and comes back with its data: Azurite
// on disk, stopped and started again on the same ports, under a worker that keeps running.
// Opt-in (HR_COURIER_SLOW_TESTS=1): a message whose invocation failed while the queue was down
// reappears only when its queue lease runs out (60 s), so this takes over a minute.
describe.skipIf(process.env.HR_COURIER_SLOW_TESTS !== '1')(
  'storage stopped and restarted under a running worker (Azurite on disk)',
  () => {
    let location: string;
    let stack: GuaranteeStack | undefined;

    beforeAll(async () => {
      location = await mkdtemp(join(tmpdir(), 'hr-courier-azurite-'));
      stack = await startGuaranteeStack({ location, simulator: { latencyMs: 150 } });
    });

    afterAll(async () => {
      await stack?.stop();
      await rm(location, { recursive: true, force: true });
    });

    it('loses nothing, sends nothing twice, poisons nothing, and the same worker carries on', async () => {
      if (!stack) throw new Error('no stack');
      const lane = await stack.newLane('restart');
      const messages = await sampleMessages('restart', 14);
      const later = messages.slice(10);
      const keys = new Set(messages.map((m) => m.key));
      const hostJson = await stack.hostJson({ visibilityTimeout: '00:00:30' });
      const fleet = startWorkerFleet({
        env: lane.env,
        count: 1,
        cwd: stack.dir,
        args: ['--host-json', hostJson],
      });
      try {
        for (const m of messages.slice(0, 10)) await lane.enqueue(m.text);
        await fleet.waitFor((r) => settledKeys(r).size >= 3, 30_000, 'the first sends');
        const pid = fleet.pid(0);

        await stack.stopAzurite();
        // The scenario's length: storage is simply gone for a while.
        await sleep(DOWN_MS);
        const settledWhileDown = settledKeys(fleet.reports()).size;
        await stack.startAzurite();
        // Producers carry on once storage is back.
        for (const m of later) await lane.enqueue(m.text);

        await fleet.waitFor((r) => settledKeys(r).size === keys.size, 120_000, 'every message to settle');
        await lane.whenQueueEmpty(60_000);

        const evidence = await gatherEvidence(lane, stack.sim, messages);
        // Guarantee 1: no duplicate, even though every in-flight write and lease renewal failed.
        expect(duplicates(evidence)).toEqual([]);
        // Guarantee 2: every accepted send has its mark or attempt row; nothing lost (every key
        // recorded, sent or held unknown), nothing poisoned by a storage outage.
        expect(unmarkedSends(evidence)).toEqual([]);
        for (const e of evidence) {
          expect(['sent', 'unknown'], `${e.key} ended ${e.state ?? 'missing'}`).toContain(e.state);
          if (e.state === 'sent') expect(e.accepted, `${e.key} recorded sent`).toBe(1);
        }
        expect(await lane.poisonTexts()).toEqual([]);
        // The same process recovered by itself and took on new work.
        expect(fleet.running(0)).toBe(true);
        expect(fleet.pid(0)).toBe(pid);
        expect(settledKeys(fleet.reports()).size).toBeGreaterThan(settledWhileDown);
      } finally {
        await fleet.stopAll();
      }
    }, 180_000);
  },
);
