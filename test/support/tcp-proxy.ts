import { connect, createServer, type Socket } from 'node:net';

/**
 * - `pass`: forward bytes both ways, like a wire;
 * - `refuse`: accept, then reset at once (ECONNRESET: a service that is down behind a load balancer);
 * - `blackhole`: accept and never forward nor answer (a hung service or a dropped route: only the
 *   client's own timeout ends the wait).
 */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

export interface TcpProxy {
  /** The loopback port to point clients at. */
  readonly port: number;
  mode(): ProxyMode;
  /**
   * Switches mode. Connections open at the switch are destroyed, so pooled keep-alive connections
   * cannot carry traffic past a fault (or keep a fault alive after it ends). The same mode is a no-op.
   */
  setMode(mode: ProxyMode): void;
  /** Client connections open right now. */
  connections(): number;
  /** Client connections accepted since start, by the mode they met. */
  accepted(): Record<ProxyMode, number>;
  /** Resolves once `count` connections in all have been accepted (so a test never races the accept). */
  whenAccepted(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  targetPort: number;
  /** Target host (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default: any free one). A fixed port lets a stack restart behind the same address. */
  port?: number;
}

interface Link {
  client: Socket;
  upstream?: Socket;
}

/** A TCP fault proxy on 127.0.0.1, for taking one service down while the others stay up. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const host = options.host ?? '127.0.0.1';
  const links = new Set<Link>();
  const accepted: Record<ProxyMode, number> = { pass: 0, refuse: 0, blackhole: 0 };
  let mode: ProxyMode = 'pass';
  const waiters: { count: number; resolve: () => void }[] = [];
  const total = () => accepted.pass + accepted.refuse + accepted.blackhole;
  const wake = () => {
    for (const w of [...waiters]) {
      if (total() < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };

  const cut = (link: Link) => {
    // A reset, not a FIN: to the client the service vanished mid-conversation.
    if (!link.client.destroyed) link.client.resetAndDestroy();
    link.upstream?.destroy();
    links.delete(link);
  };

  // Half-open allowed both ways, so a client that ends its side still gets the whole answer.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    accepted[mode] += 1;
    const link: Link = { client };
    links.add(link);
    wake();
    client.on('error', () => {
      cut(link);
    });
    client.on('close', () => {
      link.upstream?.destroy();
      links.delete(link);
    });
    if (mode === 'refuse') {
      cut(link);
      return;
    }
    if (mode === 'blackhole') {
      // Read and drop whatever arrives, so the client's writes never block on a full buffer.
      client.resume();
      return;
    }
    const upstream = connect({ port: options.targetPort, host, allowHalfOpen: true });
    link.upstream = upstream;
    upstream.on('error', () => {
      cut(link);
    });
    upstream.on('close', () => {
      if (!client.destroyed) client.end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('tcp proxy: no listening address');

  return {
    port: address.port,
    mode: () => mode,
    setMode(next) {
      if (next === mode) return;
      mode = next;
      for (const link of [...links]) cut(link);
    },
    connections: () => links.size,
    accepted: () => ({ ...accepted }),
    whenAccepted: (count) =>
      new Promise<void>((resolve) => {
        waiters.push({ count, resolve });
        wake();
      }),
    close: async () => {
      for (const link of [...links]) cut(link);
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
