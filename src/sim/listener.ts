import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Ids } from '../ports/clock.js';
import { headerValue, type SimContext } from './pipeline.js';

export interface ListenerOptions {
  /** PEM certificate and key: HTTPS when given, plain HTTP otherwise. */
  tls?: { cert: string; key: string };
  port: number;
  /** Bodies above this are not buffered; the request is marked `bodyTooLarge`. */
  maxBodyBytes: number;
  handle: (ctx: SimContext) => Promise<void>;
  now: () => number;
  ids: Ids;
  onError: (e: unknown) => void;
}

export interface Listener {
  port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** One loopback listener that turns each request into a SimContext, runs the pipeline and answers. */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res, options).catch((e: unknown) => {
      options.onError(e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createHttpServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: ListenerOptions,
): Promise<void> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    // Read everything, keeping only what fits: answering 413 before the client has finished
    // writing would make it see a reset instead of the answer.
    for await (const chunk of req as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes <= options.maxBodyBytes) chunks.push(chunk);
    }
  } catch {
    // The client went away mid-request: nobody to answer.
    res.destroy();
    return;
  }
  const sentId = headerValue(req.headers, 'client-request-id')?.trim();
  const clientRequestIdSent = sentId !== undefined && sentId !== '' && sentId.length <= 200;
  const tooLarge = bytes > options.maxBodyBytes;
  const ctx: SimContext = {
    request: {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', `http://${HOST}`),
      headers: req.headers,
      body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks),
      bodyBytes: bytes,
      bodyTooLarge: tooLarge,
    },
    requestId: options.ids.uuid(),
    clientRequestId: clientRequestIdSent ? sentId : options.ids.uuid(),
    clientRequestIdSent,
    receivedAt: options.now(),
    response: { status: 500, headers: {}, body: '' },
  };
  await options.handle(ctx);
  if (ctx.response.reset === true) {
    // No answer at all: the client sees the connection drop after it sent the whole request.
    req.socket.destroy();
    return;
  }
  const body = typeof ctx.response.body === 'string' ? Buffer.from(ctx.response.body) : ctx.response.body;
  res.writeHead(ctx.response.status, { ...ctx.response.headers, 'content-length': String(body.length) });
  res.end(body);
}
