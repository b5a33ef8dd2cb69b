import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ensureCertificate, type CertificateFiles } from '../../../../src/sim/cert.js';

export interface SeenRequest {
  method: string;
  /** Path and query, exactly as received. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (request: SeenRequest, res: ServerResponse) => void;

export interface TestServer {
  /** `https://127.0.0.1:<port>` */
  baseUrl: string;
  port: number;
  /** Every request received, in order. */
  seen: SeenRequest[];
  /** Replaces the handler for the next requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/**
 * The certificate this test process trusts: the one NODE_EXTRA_CA_CERTS names (Node reads it only at
 * start, so the Vitest config sets it before the workers start).
 */
export async function trustedCertificate(): Promise<CertificateFiles> {
  const trusted = process.env.NODE_EXTRA_CA_CERTS;
  if (trusted === undefined || trusted === '') {
    throw new Error('NODE_EXTRA_CA_CERTS is not set: run the tests through vitest.config.ts');
  }
  const files = await ensureCertificate(dirname(trusted));
  if (files.certPath !== resolve(trusted)) {
    throw new Error('NODE_EXTRA_CA_CERTS does not name a certificate made by ensureCertificate');
  }
  return files;
}

/** A tiny HTTPS server on loopback for the cases the simulator does not produce. */
export async function startHttpsServer(tls: { key: string; cert: string }): Promise<TestServer> {
  let handler: Handler = (_request, res) => {
    res.writeHead(500).end();
  };
  const seen: SeenRequest[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    port,
    seen,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => {
          resolveClose();
        });
      }),
  };
}
