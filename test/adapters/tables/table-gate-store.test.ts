import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { createTableGateStore } from '../../../src/adapters/tables/table-gate-store.js';
import { createLocalFlowGate } from '../../../src/core/flow/local-flow-gate.js';
import { createSharedFlowGate } from '../../../src/core/flow/shared-flow-gate.js';
import { systemClock, systemIds, systemRandom } from '../../../src/adapters/system/system-clock.js';
import { startAzurite } from '../../../src/dev/azurite.js';
import { describeGateStoreContract } from '../../contracts/gate-store.js';

async function tableStore() {
  const azurite = await startAzurite();
  const client = TableClient.fromConnectionString(azurite.connectionString, 'gatecontract', {
    allowInsecureConnection: true,
  });
  await client.createTable();
  return { azurite, client, store: createTableGateStore({ client }) };
}

describeGateStoreContract('Table Storage on Azurite', async () => {
  const { azurite, store } = await tableStore();
  return { store, close: () => azurite.stop() };
});

describe('the shared gate over Table Storage (real server time)', () => {
  it('caps a mailbox across instances and frees a crashed holder’s slot when its lease runs out', async () => {
    const { azurite, store } = await tableStore();
    try {
      const gate = () =>
        createSharedFlowGate({
          store,
          local: createLocalFlowGate(
            { appConcurrency: 4, mailboxConcurrency: 4, maxWaitMs: 500 },
            systemClock,
          ),
          settings: {
            appConcurrency: 4,
            mailboxConcurrency: 1,
            mailboxPerMinute: 30,
            recipientsPerDay: 9000,
            leaseMs: 2_000,
            rateWindowMs: 60_000,
            bucketMs: 3_600_000,
            budgetBuckets: 24,
            maxWaitMs: 300,
            spreadMs: 0,
          },
          clock: systemClock,
          ids: systemIds,
          random: systemRandom,
        });
      const [a, b] = [gate(), gate()];
      const held = await a.acquire({ sender: 'offers@contoso.com', recipients: 1 });
      expect(held.kind).toBe('granted');
      expect((await b.acquire({ sender: 'offers@contoso.com', recipients: 1 })).kind).toBe('defer');
      // `a` "crashes": it never releases. Storage's Date has 1 s resolution, so wait past the lease by 1 s.
      await new Promise((r) => setTimeout(r, 3_100));
      expect((await b.acquire({ sender: 'offers@contoso.com', recipients: 1 })).kind).toBe('granted');
    } finally {
      await azurite.stop();
    }
  });
});
