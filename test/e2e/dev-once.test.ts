import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../src/adapters/templates/load-template-catalog.js';
import type { HrMailMessageInput } from '../../src/core/contract.js';
import { ensureCertificate } from '../../src/sim/cert.js';
import { startIngestionServer, type IngestionServer } from '../support/ingestion-server.js';
import { findPii, piiNeedles } from '../support/pii.js';
import { REPO, runCli, type CliRun } from '../support/run-cli.js';
import { trustedCertDir } from '../sim/support/graph.js';

interface DevResult {
  ok: boolean;
  results: {
    template: string;
    businessId: string;
    state: string;
    sender: string;
    clientRequestId: string;
    requestId: string;
    date: string;
    eml: string;
    html: string;
  }[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// `npm start` as a user runs it, with --once: Azurite, the simulator, the worker, the samples.
// App Insights is pointed at a local ingestion endpoint so auto-collected telemetry is scanned too.
describe('hr-courier dev --once (the README quick start)', () => {
  let stateDir: string;
  let ingestion: IngestionServer;
  let run: CliRun;
  let result: DevResult;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'hr-courier-dev-'));
    ingestion = await startIngestionServer(await ensureCertificate(trustedCertDir()));
    run = await runCli(['dev', '--once', '--json', '--any-ports', '--persist', '--state-dir', stateDir], {
      env: { ...process.env, APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString },
    });
    result = JSON.parse(run.stdout) as DevResult;
  }, 120_000);

  afterAll(async () => {
    await ingestion.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers every sample, exits 0, and reports state, sender and the trinity for each', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.results.map((r) => r.template).sort()).toEqual([
      'offer-letter',
      'onboarding-welcome',
      'policy-update',
      'termination-notice',
    ]);
    for (const r of result.results) {
      expect(r.state).toBe('sent');
      expect(r.sender).toMatch(/@contoso\.com$/);
      expect(r.clientRequestId).toMatch(GUID);
      expect(r.requestId).toMatch(GUID);
      expect(Number.isNaN(Date.parse(r.date))).toBe(false);
    }
  });

  it('leaves each rendered mail in the outbox, with the trace headers', async () => {
    const offer = result.results.find((r) => r.template === 'offer-letter');
    expect(offer && existsSync(offer.html)).toBe(true);
    const eml = await readFile(offer?.eml ?? '', 'utf8');
    expect(eml).toMatch(/^X-Trace-Intent: offer$/m);
    expect(eml).toMatch(/^X-Business-Id: CAND-/m);
    expect(eml).toMatch(/^X-Requisition: /m);
    expect(await readdir(join(stateDir, 'outbox'))).toHaveLength(8);
  });

  it('puts no recipient, name, subject, data value or blob path in telemetry, logs or the ledger', async () => {
    const catalog = await loadTemplateCatalog(join(REPO, 'templates'));
    const needles: string[] = [];
    for (const file of (await readdir(join(REPO, 'samples'))).filter((f) => f.endsWith('.json'))) {
      const m = JSON.parse(await readFile(join(REPO, 'samples', file), 'utf8')) as HrMailMessageInput;
      const rendered = catalog.render({
        template: m.template,
        data: m.data,
        ...(m.templateVersion ? { version: m.templateVersion } : {}),
      });
      needles.push(...piiNeedles(m, [rendered.subject]));
    }
    const telemetryFile = await readFile(join(stateDir, 'telemetry.jsonl'), 'utf8');
    const ledgerDb = await readAzuriteTableDb(join(stateDir, 'azurite'));
    const haystacks: Record<string, string> = {
      'dev stdout': run.stdout,
      'dev and worker stderr (logs)': run.stderr,
      'telemetry file': telemetryFile,
      'App Insights ingestion (events, traces, auto-collected dependencies)': ingestion.bodies().join('\n'),
      'ledger (Azurite table storage)': ledgerDb,
    };
    // Positive controls: the scan looks at real, non-empty material…
    expect(needles.length).toBeGreaterThan(30);
    expect(telemetryFile).toContain('Mail.Sent');
    expect(ingestion.bodies().join('\n')).toContain('Mail.Sent');
    expect(ledgerDb).toContain('offer-CAND-');
    // …and the needles are real: the mails themselves do contain them.
    const offerEml = await readFile(
      result.results.find((r) => r.template === 'offer-letter')?.html ?? '',
      'utf8',
    );
    expect(findPii(offerEml, needles).length).toBeGreaterThan(0);

    const leaks = Object.entries(haystacks).flatMap(([where, text]) =>
      findPii(text, needles).map((hit) => `${where}: "${hit.needle}" in …${hit.context}…`),
    );
    expect(leaks).toEqual([]);
  });
});

/** Everything Azurite persisted for Table Storage (the ledger), as text. */
async function readAzuriteTableDb(location: string): Promise<string> {
  const files = (await readdir(location, { recursive: true })).map(String).filter((f) => /table/i.test(f));
  const texts = await Promise.all(
    files.map(async (f) => {
      try {
        return await readFile(join(location, f), 'utf8');
      } catch {
        return '';
      }
    }),
  );
  return texts.join('\n');
}
