import { once } from 'node:events';
import { Agent, createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

interface EchoTarget {
  server: Server;
  port: number;
  /** Connections the target itself accepted: what actually got through the proxy. */
  seen: number;
  bytes: string;
}

async function startEcho(): Promise<EchoTarget> {
  const target: EchoTarget = { server: createServer(), port: 0, seen: 0, bytes: '' };
  target.server.on('connection', (socket) => {
    target.seen += 1;
    socket.on('data', (chunk: Buffer) => {
      target.bytes += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  target.server.listen(0, '127.0.0.1');
  await once(target.server, 'listening');
  target.port = (target.server.address() as AddressInfo).port;
  return target;
}

/** Connects, writes `text`, and collects what comes back until the connection ends, however it ends. */
function converse(
  port: number,
  text: string,
): { socket: Socket; ended: Promise<{ reply: string; error?: string }> } {
  const socket = connect({ port, host: '127.0.0.1' });
  let reply = '';
  socket.on('data', (chunk: Buffer) => {
    reply += chunk.toString();
    if (reply.length >= text.length) socket.end();
  });
  const ended = new Promise<{ reply: string; error?: string }>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ reply, error: e.code ?? e.name });
    });
    socket.on('close', () => {
      resolve({ reply });
    });
  });
  socket.write(text);
  return { socket, ended };
}

function httpGet(port: number, agent: Agent): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve({ ...(res.statusCode === undefined ? {} : { status: res.statusCode }), body });
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ error: e.code ?? e.name });
    });
    req.end();
  });
}

// The outage tests trust this proxy to take the ledger down for real: if `refuse` let a byte through,
// or `blackhole` answered, or a mode switch left pooled connections alive, they would prove nothing.
describe('the TCP fault proxy', () => {
  let target: EchoTarget;
  let proxy: TcpProxy;

  beforeAll(async () => {
    target = await startEcho();
    proxy = await startTcpProxy({ targetPort: target.port });
  });

  afterAll(async () => {
    await proxy.close();
    target.server.close();
  });

  it('passes bytes both ways in pass mode', async () => {
    const { ended } = converse(proxy.port, 'hello');
    expect(await ended).toEqual({ reply: 'hello' });
    expect(target.bytes).toContain('hello');
  });

  it('resets connections in refuse mode without reaching the target', async () => {
    proxy.setMode('refuse');
    const seenBefore = target.seen;
    const { ended } = converse(proxy.port, 'refused-bytes');
    const result = await ended;
    expect(result.reply).toBe('');
    expect(result.error).toBe('ECONNRESET');
    expect(target.seen).toBe(seenBefore);
    expect(target.bytes).not.toContain('refused-bytes');
    proxy.setMode('pass');
  });

  it('holds connections open without an answer in blackhole mode, until the mode changes', async () => {
    proxy.setMode('blackhole');
    const seenBefore = target.seen;
    const acceptedBefore = proxy.accepted().blackhole;
    const { ended } = converse(proxy.port, 'swallowed');
    await proxy.whenAccepted(Object.values(proxy.accepted()).reduce((a, b) => a + b, 0) + 1);
    expect(proxy.accepted().blackhole).toBe(acceptedBefore + 1);
    expect(proxy.connections()).toBe(1);

    // Leaving blackhole destroys the held connection: it ends having received nothing at all.
    proxy.setMode('pass');
    const result = await ended;
    expect(result.reply).toBe('');
    expect(proxy.connections()).toBe(0);

    // A new connection passes again, and it is the only one the target ever saw since.
    expect(await converse(proxy.port, 'after').ended).toEqual({ reply: 'after' });
    expect(target.seen).toBe(seenBefore + 1);
    expect(target.bytes).not.toContain('swallowed');
  });

  it('cuts pooled keep-alive connections on a switch, as an SDK client would meet an outage', async () => {
    const http: HttpServer = createHttpServer((_req, res) => {
      res.end('ok');
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const httpProxy = await startTcpProxy({ targetPort: (http.address() as AddressInfo).port });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await httpGet(httpProxy.port, agent)).toEqual({ status: 200, body: 'ok' });
      expect(httpProxy.connections()).toBe(1); // pooled by the agent

      httpProxy.setMode('refuse');
      expect(httpProxy.connections()).toBe(0);
      expect((await httpGet(httpProxy.port, agent)).error).toBe('ECONNRESET');

      httpProxy.setMode('pass');
      expect(await httpGet(httpProxy.port, agent)).toEqual({ status: 200, body: 'ok' });
    } finally {
      agent.destroy();
      await httpProxy.close();
      http.close();
    }
  });
});
