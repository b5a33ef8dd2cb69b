import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One App Insights envelope as the exporter sends it (Breeze schema), loosely typed. */
export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

export interface IngestionServer {
  /** A connection string whose ingestion (and live) endpoint is this server. */
  connectionString: string;
  envelopes(): Envelope[];
  /** Every request body as received (after gunzip), for scanning the exact bytes that left. */
  bodies(): string[];
  close(): Promise<void>;
}

const INSTRUMENTATION_KEY = '00000000-0000-4000-8000-000000000001';

/**
 * A stand-in for the App Insights ingestion endpoint (`POST /v2.1/track`, gzipped JSON array of
 * envelopes) on loopback HTTPS: the exporter upgrades any http endpoint to https.
 */
export async function startIngestionServer(tls: { cert: string; key: string }): Promise<IngestionServer> {
  const bodies: string[] = [];
  const envelopes: Envelope[] = [];
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      bodies.push(text);
      let items: Envelope[] = [];
      try {
        const parsed: unknown = req.url?.startsWith('/v2.1/track') ? JSON.parse(text) : [];
        items = (Array.isArray(parsed) ? parsed : [parsed]) as Envelope[];
      } catch {
        res.writeHead(400).end();
        return;
      }
      envelopes.push(...items);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `https://127.0.0.1:${port}/`;
  return {
    connectionString: `InstrumentationKey=${INSTRUMENTATION_KEY};IngestionEndpoint=${endpoint};LiveEndpoint=${endpoint}`,
    envelopes: () => [...envelopes],
    bodies: () => [...bodies],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
