import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableClient } from '../../../src/adapters/storage/clients.js';
import { parseStorageConnection } from '../../../src/adapters/storage/connection.js';
import { createTableLedger, type TableLedgerOptions } from '../../../src/adapters/tables/table-ledger.js';
import { LedgerLimitError } from '../../../src/adapters/tables/table-limits.js';
import { azuriteConnectionString, startAzurite, type AzuriteHandle } from '../../../src/dev/azurite.js';
import { LedgerUnavailableError } from '../../../src/ports/ledger.js';
import { attempt, describeLedgerContract, fullRecord, minimalRecord } from '../../contracts/ledger.js';
import { startHttpTap, type TappedRequest } from '../storage/http-tap.js';

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

// Short SDK retries so an outage surfaces in about a second.
const quickRetries = { maxRetries: 1, retryDelayMs: 50, maxRetryDelayMs: 200 };

async function tableLedger(options: Partial<TableLedgerOptions> = {}, tablePort?: number) {
  const ports = { ...azurite.ports, ...(tablePort === undefined ? {} : { table: tablePort }) };
  const connection = parseStorageConnection({ AzureWebJobsStorage: azuriteConnectionString(ports) });
  const client = createTableClient(connection, `ledger${randomUUID().replaceAll('-', '')}`, quickRetries);
  const ledger = createTableLedger({ client, operationTimeoutMs: 5000, ...options });
  await ledger.ensureTable();
  return { ledger, client, close: () => client.deleteTable() };
}

async function rawRows(client: TableClient) {
  const rows: Record<string, unknown>[] = [];
  for await (const row of client.listEntities()) rows.push(row);
  return rows;
}

describeLedgerContract('the Table Storage ledger on Azurite', () => tableLedger());

describe('the Table Storage ledger enforces the limits Azurite lets pass', () => {
  it('refuses a businessId over 1 KiB without echoing it, and writes nothing', async () => {
    const { ledger, client, close } = await tableLedger();
    const businessId = `CAND-${'x'.repeat(600)}`;
    const insert = ledger.insert(minimalRecord({ businessId }));
    await expect(insert).rejects.toBeInstanceOf(LedgerLimitError);
    await expect(insert).rejects.toThrow('ledger businessId is longer than 1 KiB');
    expect(await rawRows(client)).toEqual([]);
    await close();
  });

  it('caps the domains of 500 recipients to fit one property and keeps their count', async () => {
    const { ledger, client, close } = await tableLedger();
    const domains = Array.from(
      { length: 500 },
      (_, i) => `${'d'.repeat(100)}-${String(i).padStart(3, '0')}.example`,
    );
    const inserted = (await ledger.insert(minimalRecord({ recipientCount: 500, recipientDomains: domains })))
      .value;
    const kept = inserted.recipientDomains.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(500);
    expect(inserted.recipientDomains).toEqual(domains.slice(0, kept));
    expect(inserted.recipientCount).toBe(500);
    expect((await ledger.read('CAND-1', 'k-1')).value).toEqual(inserted);
    const [row] = await rawRows(client);
    expect(row?.recipientDomainsTotal).toBe(500);
    // The capped row stays writable.
    await ledger.update({ ...inserted, deliveries: 2 });
    await close();
  });

  it('caps the field paths of a huge validation failure instead of losing the failure', async () => {
    const { ledger, close } = await tableLedger();
    const fieldPaths = Array.from({ length: 3000 }, (_, i) => `to[${i}].address`);
    const reason = { code: 'InvalidMessage' as const, detail: 'invalid recipients', fieldPaths };
    const inserted = (await ledger.insert(minimalRecord({ state: 'failed', reason }))).value;
    expect(inserted.reason?.code).toBe('InvalidMessage');
    expect(inserted.reason?.fieldPaths).toEqual(fieldPaths.slice(0, inserted.reason?.fieldPaths?.length));
    await close();
  });

  it('refuses a property over 64 KiB, naming the property and not its value', async () => {
    const { ledger, client, close } = await tableLedger();
    const insert = ledger.insert(minimalRecord({ correlationId: 'c'.repeat(40_000) }));
    await expect(insert).rejects.toThrow('ledger state property correlationId is larger than 64 KiB');
    expect(await rawRows(client)).toEqual([]);
    await close();
  });

  it('clips an oversized Graph diagnostic in an attempt row rather than losing the evidence', async () => {
    const { ledger, close } = await tableLedger();
    const record = (await ledger.insert(minimalRecord())).value;
    const evidence = { ...attempt(record, 1), diagnostic: 'g'.repeat(40_000) };
    await ledger.update({ ...record, attempts: 1 }, [evidence]);
    const [stored] = (await ledger.history('CAND-1')).attempts;
    expect(stored?.requestId).toBe(evidence.requestId);
    expect(stored?.diagnostic?.length).toBe(32_768);
    await close();
  });

  it('refuses more attempt rows than one batch can carry', async () => {
    const { ledger, client, close } = await tableLedger();
    const record = (await ledger.insert(minimalRecord())).value;
    const attempts = Array.from({ length: 100 }, (_, i) => attempt(record, i + 1));
    await expect(ledger.update({ ...record, attempts: 100 }, attempts)).rejects.toThrow(
      /more than 99 attempt rows/,
    );
    expect(await rawRows(client)).toHaveLength(1);
    await close();
  });
});

describe('the Table Storage ledger reads and writes through real storage', () => {
  it('pages through a partition larger than one page', async () => {
    const { ledger, close } = await tableLedger({ pageSize: 2 });
    const record = fullRecord({ businessId: 'CAND-9' });
    for (const key of ['k-1', 'k-2', 'k-3']) await ledger.insert({ ...record, key });
    const { value: second } = await ledger.read('CAND-9', 'k-2');
    if (second === undefined) throw new Error('k-2 was not stored');
    await ledger.update(second, [attempt(second, 1), attempt(second, 2)]);
    const history = await ledger.history('CAND-9');
    expect(history.records.map((r) => r.key)).toEqual(['k-1', 'k-2', 'k-3']);
    expect(history.attempts.map((a) => a.n)).toEqual([1, 2]);
    await close();
  });

  it('reports a missing table as unavailable, not as a missing row', async () => {
    const { ledger, close } = await tableLedger();
    await close(); // deletes the table
    await expect(ledger.read('CAND-1', 'k-1')).rejects.toThrow('the ledger table does not exist');
    await expect(ledger.insert(minimalRecord())).rejects.toBeInstanceOf(LedgerUnavailableError);
  });

  it('does not report its own write as a conflict when the answer to it was lost', async () => {
    let lose = (_request: TappedRequest) => false;
    const tap = await startHttpTap(azurite.ports.table, { loseAnswer: (r) => lose(r) });
    const { ledger, close } = await tableLedger({}, tap.port);
    // The first try of each write lands; its answer is lost; the SDK's retry meets our own row.
    let lost = 0;
    lose = (r) => r.method !== 'GET' && r.method !== 'HEAD' && lost++ % 2 === 0;
    const inserted = await ledger.insert(minimalRecord());
    const updated = await ledger.update({ ...inserted.value, attempts: 1 }, [attempt(inserted.value, 1)]);
    lose = () => false;
    expect(lost).toBe(4);
    const history = await ledger.history('CAND-1');
    expect(history).toEqual({ records: [updated.value], attempts: [attempt(inserted.value, 1)] });
    await close();
    await tap.close();
  });

  it('reports a table endpoint that never answers as unavailable, within its timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as { port: number }).port;
    const connection = parseStorageConnection({
      AzureWebJobsStorage: azuriteConnectionString({ ...azurite.ports, table: port }),
    });
    const client = createTableClient(connection, 'silent', quickRetries);
    const ledger = createTableLedger({ client, operationTimeoutMs: 500 });
    await expect(ledger.read('CAND-1', 'k-1')).rejects.toThrow(LedgerUnavailableError);
    await expect(
      ledger.update({ ...minimalRecord(), etag: 'W/"x"' }, [attempt(minimalRecord(), 1)]),
    ).rejects.toThrow(/timed out/);
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  // Last: it stops the file's Azurite.
  it('reports a storage outage as LedgerUnavailableError, not a crash or a hang', async () => {
    const { ledger } = await tableLedger();
    const inserted = (await ledger.insert(minimalRecord())).value;
    const exited = once(azurite.process, 'exit');
    azurite.kill();
    await exited;
    await expect(ledger.read('CAND-1', 'k-1')).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(ledger.update({ ...inserted, deliveries: 2 })).rejects.toBeInstanceOf(
      LedgerUnavailableError,
    );
    await expect(ledger.history('CAND-1')).rejects.toBeInstanceOf(LedgerUnavailableError);
  });
});
