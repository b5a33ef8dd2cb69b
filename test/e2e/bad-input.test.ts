import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawKey } from '../../src/core/idempotency.js';
import { INVALID_INPUT_PARTITION } from '../../src/ports/ledger.js';
import { startGuaranteeStack, type GuaranteeStack, type Lane } from '../support/guarantee-stack.js';
import { startWorkerFleet, type FleetReport } from '../support/worker-fleet.js';
import { sampleMessages } from '../guarantees/support/messages.js';
import { reportsFor } from '../guarantees/support/reports.js';
import { eventsOf, readEvents, type TelemetryEvent } from '../guarantees/support/telemetry.js';
import type { TraceStory } from '../../src/cli/trace-command.js';

// Hostile input through a real worker, Azurite and the Graph simulator (docs/architecture.md §4):
// a message nested thousands of levels deep, and lone surrogates (from JSON escapes such as \ud800)
// in data and in the businessId. Before decoding bounded them, the first made canonical JSON throw
// RangeError and the others made the storage SDKs throw URIError: each invocation failed, and the
// host retried the message until it poisoned it, after maxDequeueCount dequeues, with no ledger row
// saying why. Now each is refused on its first dequeue, poisoned by the worker itself, and `trace`
// explains it.

interface Hostile {
  what: string;
  text: string;
  /** Where the rejection is filed: the message's businessId when that part is valid. */
  partition: string;
  fieldPath: string;
}

describe('hostile queue messages, end to end', () => {
  let stack: GuaranteeStack | undefined;
  let lane: Lane;
  let hostile: Hostile[];
  let reports: readonly FleetReport[];
  let poison: string[];
  let events: TelemetryEvent[];
  const stories = new Map<string, TraceStory | undefined>();

  beforeAll(async () => {
    stack = await startGuaranteeStack();
    lane = await stack.newLane('badinput');
    const [deep, surrogate, badId] = await sampleMessages('badinput', 3);
    if (!deep || !surrogate || !badId) throw new Error('no samples');
    const withData = (text: string, extra: string) => text.replace('"data":{', `"data":{"extra":${extra},`);
    hostile = [
      {
        what: 'data nested 3000 levels deep',
        text: withData(deep.text, `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`),
        partition: deep.businessId,
        fieldPath: 'data.*.*.*.*.*.*.*…',
      },
      {
        what: 'a lone surrogate in a data value',
        text: withData(surrogate.text, '"Zebulon \\ud800"'),
        partition: surrogate.businessId,
        fieldPath: 'data.*',
      },
      {
        what: 'a lone surrogate in the businessId',
        text: badId.text.replace(
          `"businessId":"${badId.businessId}"`,
          `"businessId":"${badId.businessId}\\udc00"`,
        ),
        partition: INVALID_INPUT_PARTITION,
        fieldPath: 'businessId',
      },
    ];
    // Each edit took: no text is still its sample's.
    for (const h of hostile) expect([deep.text, surrogate.text, badId.text]).not.toContain(h.text);
    for (const h of hostile) await lane.enqueue(h.text);

    const hostJson = await stack.hostJson({ maxPollingInterval: '00:00:01' });
    const fleet = startWorkerFleet({
      env: lane.env,
      count: 1,
      cwd: stack.dir,
      args: ['--host-json', hostJson],
    });
    try {
      reports = await fleet.waitFor(
        (r) => hostile.every((h) => reportsFor(r, rawKey(h.text)).length > 0),
        60_000,
        'a report for every hostile message',
      );
      await lane.whenQueueEmpty(30_000);
    } finally {
      await fleet.stopAll();
    }
    poison = await lane.poisonTexts();
    events = await readEvents(lane.telemetryFile);
    for (const partition of new Set(hostile.map((h) => h.partition))) {
      stories.set(partition, await lane.traceCli(partition));
    }
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each([0, 1, 2])('refuses hostile message %i on its first dequeue, as InvalidMessage', (i) => {
    const h = hostile[i];
    if (!h) throw new Error('no such message');
    const key = rawKey(h.text);
    const mine = reportsFor(reports, key);
    expect(
      mine.map((r) => [r.outcome, r.code]),
      h.what,
    ).toEqual([['failed', 'InvalidMessage']]);
    expect(mine[0]?.businessId).toBe(h.partition);
    // Poisoned by the worker on the first dequeue, not by the host after maxDequeueCount.
    const failed = eventsOf(events, key, 'Mail.Failed');
    expect(failed.map((e) => String(e.properties.dequeueCount))).toEqual(['1']);
    expect(failed[0]?.properties.fieldPaths).toBe(h.fieldPath);
    expect(poison.filter((t) => t === h.text)).toHaveLength(1);
  });

  it.each([0, 1, 2])('explains hostile message %i with `hr-courier trace`', (i) => {
    const h = hostile[i];
    if (!h) throw new Error('no such message');
    const record = stories.get(h.partition)?.records.find((r) => r.key === rawKey(h.text));
    expect(record, `trace ${h.partition} found the row`).toBeDefined();
    expect(record?.state).toBe('failed');
    expect(record?.reason?.code).toBe('InvalidMessage');
    expect(record?.reason?.fieldPaths).toEqual([h.fieldPath]);
    expect(record?.deliveries).toBe(1);
    expect(record?.poisonedAt).toBeDefined();
    // No invocation failed on the way: the host never had anything to retry.
    expect(record?.lastError).toBeUndefined();
  });
});
