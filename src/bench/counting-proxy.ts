import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AzuritePorts } from '../dev/azurite.js';

export type StorageService = keyof AzuritePorts;

export const STORAGE_SERVICES: readonly StorageService[] = ['blob', 'queue', 'table'];

export interface CountingProxy {
  /** Where clients should connect instead of Azurite: one port per service. */
  ports: AzuritePorts;
  /** HTTP requests forwarded per service since the start or the last reset. */
  counts(): Record<StorageService, number>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A small HTTP reverse proxy in front of Azurite's three ports that counts requests per service, so
 * a benchmark can tell how many storage operations each delivered message cost. Requests and answers
 * pass through unchanged (shared-key signatures do not cover the host or port).
 */
export async function startCountingProxy(target: AzuritePorts, host = '127.0.0.1'): Promise<CountingProxy> {
  let counts: Record<StorageService, number> = { blob: 0, queue: 0, table: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const servers: Server[] = [];

  const listen = async (service: StorageService): Promise<number> => {
    const server = createServer((req, res) => {
      counts[service] += 1;
      const upstream = request(
        { host, port: target[service], method: req.method, path: req.url, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
          answer.pipe(res);
        },
      );
      // A broken upstream looks like a dropped connection to the client, as Azurite going away would.
      upstream.on('error', () => {
        res.destroy();
      });
      req.on('error', () => {
        upstream.destroy();
      });
      req.pipe(upstream);
    });
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  };

  const closeAll = () =>
    Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
            server.closeAllConnections();
          }),
      ),
    );
  let ports: AzuritePorts;
  try {
    ports = { blob: await listen('blob'), queue: await listen('queue'), table: await listen('table') };
  } catch (e) {
    await closeAll();
    throw e;
  }
  return {
    ports,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = { blob: 0, queue: 0, table: 0 };
    },
    close: async () => {
      await closeAll();
      agent.destroy();
    },
  };
}
