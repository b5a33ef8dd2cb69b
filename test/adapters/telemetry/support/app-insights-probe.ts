/**
 * A worker-like process for app-insights-telemetry.test.ts. The App Insights SDK is process-global
 * and starts once, so each run gets a fresh process. Like a real worker, it loads the Azure SDK
 * first, then starts telemetry through the app's one composition, then does its work.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { BlobClient, BlobSASPermissions, BlobServiceClient } from '@azure/storage-blob';
import { systemClock } from '../../../../src/adapters/system/system-clock.js';
import { createTelemetry } from '../../../../src/adapters/telemetry/create-telemetry.js';
import { createTelemetryLogger } from '../../../../src/adapters/telemetry/telemetry-logger.js';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const telemetry = createTelemetry({
  appInsightsConnectionString: setting('PROBE_APPINSIGHTS_CONNECTION_STRING'),
  telemetryFile: setting('PROBE_TELEMETRY_FILE'),
  clock: systemClock,
  roleName: 'hr-courier-probe',
});
const log = createTelemetryLogger(telemetry);

telemetry.event(
  'Mail.Sent',
  { key: 'offer-CAND-9-2026-11', intent: 'offer', recipientDomains: 'example.org', status: 'sent' },
  { recipients: 1 },
);
telemetry.dependency({
  name: 'sendMail',
  target: 'graph.microsoft.com',
  durationMs: 212,
  success: true,
  resultCode: '202',
  properties: { key: 'offer-CAND-9-2026-11', requestId: 'req-1' },
});
telemetry.exception('LedgerUnavailable', 'ledger write failed after 6 attempts', {
  key: 'offer-CAND-9-2026-11',
});
log.warn('mailbox paused', { sender: 'offers@contoso.com', seconds: 30 });

// Anything printed must stay out of App Insights.
console.log(`printed to stdout: ${setting('PROBE_PRINTED_SECRET')}`);
console.error(`printed to stderr: ${setting('PROBE_PRINTED_SECRET')}`);

// A claim-check attachment read, as the worker does it: through the Azure SDK, with a SAS query.
const container = BlobServiceClient.fromConnectionString(setting('PROBE_STORAGE')).getContainerClient(
  'hr-attachments',
);
await container.createIfNotExists();
const blob = container.getBlockBlobClient(setting('PROBE_BLOB_PATH'));
await blob.upload('%PDF-1.7 offer', 14);
const sasUrl = await blob.generateSasUrl({
  permissions: BlobSASPermissions.parse('r'),
  expiresOn: new Date(Date.now() + 3_600_000),
});
await new BlobClient(sasUrl).downloadToBuffer();

// The same URL through plain node:http, which the HTTP instrumentation patches when it is required.
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
await new Promise<void>((resolve, reject) => {
  http
    .get(sasUrl, (res: IncomingMessage) => {
      res.resume();
      res.on('end', resolve);
    })
    .on('error', reject);
});

await telemetry.close();
console.log('probe finished');
