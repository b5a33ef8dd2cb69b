import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryRecord } from '../../../src/adapters/telemetry/telemetry-sink.js';
import { startAzurite, type AzuriteHandle } from '../../../src/dev/azurite.js';
import { ensureCertificate } from '../../../src/sim/cert.js';
import { findPii } from '../../support/pii.js';
import { startIngestionServer, type Envelope, type IngestionServer } from '../../support/ingestion-server.js';
import { runTypeScript, type RunResult } from './support/run-typescript.js';

// The real SDK and its real exporter, against a local ingestion endpoint over HTTPS, in a process of
// its own (the SDK is process-global and reads NODE_EXTRA_CA_CERTS at start-up).

const BUSINESS_ID = 'CAND-9';
const FILE_NAME = 'offer-letter-Wilhelmina-Strachan.pdf';
const BLOB_PATH = `${BUSINESS_ID}/${FILE_NAME}`;
const PRINTED_SECRET = 'wilhelmina.strachan@example.org';

let dir: string;
let azurite: AzuriteHandle;
let ingestion: IngestionServer;
let run: RunResult;
let envelopes: Envelope[];
let telemetryFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-courier-appinsights-'));
  const cert = await ensureCertificate(join(dir, 'cert'));
  [azurite, ingestion] = await Promise.all([startAzurite(), startIngestionServer(cert)]);
  telemetryFile = join(dir, 'telemetry.jsonl');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: cert.certPath,
    PROBE_APPINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
    PROBE_TELEMETRY_FILE: telemetryFile,
    PROBE_STORAGE: azurite.connectionString,
    PROBE_BLOB_PATH: BLOB_PATH,
    PROBE_PRINTED_SECRET: PRINTED_SECRET,
    // The SDK's own usage reporting goes to Microsoft's endpoint, unreachable from a test.
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
    APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
  };
  delete env.OTEL_SERVICE_NAME;
  delete env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  run = await runTypeScript(new URL('./support/app-insights-probe.ts', import.meta.url), {
    env,
    timeoutMs: 45_000,
  });
  envelopes = ingestion.envelopes();
});

afterAll(async () => {
  await Promise.all([ingestion.close(), azurite.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const ofType = (baseType: string): Envelope[] => envelopes.filter((e) => e.data.baseType === baseType);

function blobDependencies(): Envelope[] {
  const blobHost = `127.0.0.1:${azurite.ports.blob}`;
  return ofType('RemoteDependencyData').filter((e) => {
    const data = e.data.baseData.data;
    return typeof data === 'string' && data.includes(blobHost);
  });
}

describe('createAppInsightsTelemetry (through createTelemetry)', () => {
  it('runs the probe to the end', () => {
    // The probe's stderr is the failure message: it says why the process stopped.
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('probe finished');
  });

  it('delivers a tracked event with its properties, measurements and role name', () => {
    const event = ofType('EventData').find((e) => e.data.baseData.name === 'Mail.Sent');
    expect(event?.data.baseData).toMatchObject({
      name: 'Mail.Sent',
      properties: {
        key: 'offer-CAND-9-2026-11',
        intent: 'offer',
        recipientDomains: 'example.org',
        status: 'sent',
      },
      measurements: { recipients: 1 },
    });
    expect(event?.tags['ai.cloud.role']).toBe('hr-courier-probe');
  });

  it('delivers a Graph call as an HTTP dependency with target and result code, but no URL', () => {
    const dependency = ofType('RemoteDependencyData').find((e) => e.data.baseData.name === 'sendMail');
    expect(dependency?.data.baseData).toMatchObject({
      name: 'sendMail',
      type: 'Http',
      target: 'graph.microsoft.com',
      resultCode: '202',
      success: true,
      duration: '00:00:00.212',
      properties: { key: 'offer-CAND-9-2026-11', requestId: 'req-1' },
    });
  });

  it('delivers an exception as its code and safe message only, and a log line as a trace', () => {
    const exception = ofType('ExceptionData')[0];
    expect(exception?.data.baseData).toMatchObject({
      exceptions: [
        { typeName: 'LedgerUnavailable', message: 'ledger write failed after 6 attempts', parsedStack: [] },
      ],
      properties: { key: 'offer-CAND-9-2026-11' },
    });
    const trace = ofType('MessageData')[0];
    expect(trace?.data.baseData).toMatchObject({
      message: 'mailbox paused',
      severityLevel: 'Warning',
      properties: { sender: 'offers@contoso.com', seconds: '30' },
    });
  });

  it('scrubs auto-collected blob dependencies to the container: no blob path, no query string', () => {
    const blobs = blobDependencies();
    expect(blobs.length).toBeGreaterThan(0);
    const container = `http://127.0.0.1:${azurite.ports.blob}/devstoreaccount1/hr-attachments`;
    for (const d of blobs) {
      expect(d.data.baseData.data).toBe(container);
      expect(d.data.baseData.name).not.toContain(BUSINESS_ID);
    }
  });

  it('sends nothing that names the blob, its path or its SAS', () => {
    const sent = ingestion.bodies().join('\n');
    expect(findPii(sent, [BLOB_PATH, FILE_NAME, 'Wilhelmina'])).toEqual([]);
    expect(sent).not.toMatch(/[?&](sv|se|sp|sr|sig)=/);
  });

  it('does not collect what the process prints to the console', () => {
    expect(run.stdout).toContain(PRINTED_SECRET);
    expect(run.stderr).toContain(PRINTED_SECRET);
    expect(findPii(ingestion.bodies().join('\n'), [PRINTED_SECRET])).toEqual([]);
  });

  it('copies every item, auto-collected spans included, to the JSONL file, scrubbed the same way', async () => {
    const text = await readFile(telemetryFile, 'utf8');
    const records = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as TelemetryRecord);
    expect(records.map((r) => `${r.type}:${r.name}`)).toEqual(
      expect.arrayContaining([
        'event:Mail.Sent',
        'dependency:sendMail',
        'exception:LedgerUnavailable',
        'log:warn',
      ]),
    );
    const auto = records.filter((r) => r.type === 'dependency' && r.properties.autoCollected === true);
    expect(auto.length).toBeGreaterThan(0);
    expect(findPii(text, [BLOB_PATH, FILE_NAME, PRINTED_SECRET])).toEqual([]);
    expect(text).not.toMatch(/[?&](sv|se|sp|sr|sig)=/);
  });
});
