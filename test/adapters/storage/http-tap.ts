import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TappedRequest {
  method: string;
  path: string;
}

export interface HttpTapHooks {
  /** Runs before a request is forwarded (e.g. to change the target's state in between two calls). */
  beforeForward?(request: TappedRequest): Promise<void> | void;
  /** True: forward the request, let the target act on it, then cut the connection instead of answering. */
  loseAnswer?(request: TappedRequest): boolean;
}

export interface HttpTap {
  port: number;
  /** Every request seen, in order. */
  readonly requests: TappedRequest[];
  close(): Promise<void>;
}

/**
 * A plain HTTP forwarder in front of a loopback service (Azurite), for tests that need to see
 * which requests a client made or to lose an answer after the service has acted on the request.
 */
export async function startHttpTap(targetPort: number, hooks: HttpTapHooks = {}): Promise<HttpTap> {
  const requests: TappedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const tapped = { method: incoming.method ?? 'GET', path: incoming.url ?? '/' };
    requests.push(tapped);
    const body: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => body.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        await hooks.beforeForward?.(tapped);
        const lose = hooks.loseAnswer?.(tapped) ?? false;
        const upstream = httpRequest(
          {
            host: '127.0.0.1',
            port: targetPort,
            method: tapped.method,
            path: tapped.path,
            headers: incoming.headers,
          },
          (answer: IncomingMessage) => {
            if (lose) {
              answer.resume();
              answer.on('end', () => incoming.socket.destroy());
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        upstream.on('error', () => incoming.socket.destroy());
        upstream.end(Buffer.concat(body));
      })().catch(() => incoming.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
