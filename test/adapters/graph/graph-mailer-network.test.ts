import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { createGraphMailer } from '../../../src/adapters/graph/graph-mailer.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import { fakeCredential, freePort, request } from './support/fixtures.js';
import { startHttpsServer } from './support/https-server.js';

describe('network failures before anything was sent', () => {
  const mailerAt = (baseUrl: string) =>
    createGraphMailer({
      baseUrl,
      scope: 'https://graph.microsoft.com/.default',
      customHosts: ['127.0.0.1'],
      credential: fakeCredential(['t']),
      clock: systemClock,
    });

  it('reports a refused connection as before-send', async () => {
    const answer = await mailerAt(`https://127.0.0.1:${await freePort()}`).sendMail(request());
    expect(answer).toMatchObject({ kind: 'network', phase: 'before-send', errorCode: 'ECONNREFUSED' });
  });

  it('reports an unknown host as before-send', async () => {
    const answer = await mailerAt('https://hr-courier-test.invalid').sendMail(request());
    expect(answer).toMatchObject({ kind: 'network', phase: 'before-send' });
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(answer.kind === 'network' ? answer.errorCode : '');
  });

  it('reports a certificate this process does not trust as before-send, and never sends the mail', async () => {
    const untrusted = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
    const stranger = await startHttpsServer({ key: untrusted.private, cert: untrusted.cert });
    try {
      const answer = await mailerAt(stranger.baseUrl).sendMail(request());
      expect(answer).toMatchObject({ kind: 'network', phase: 'before-send' });
      expect(answer.kind === 'network' ? answer.errorCode : '').toMatch(/CERT/u);
      expect(stranger.seen).toHaveLength(0);
    } finally {
      await stranger.close();
    }
  });

  it('reports a hang-up during the TLS handshake as before-send', async () => {
    // Accepts the TCP connection, then hangs up before the TLS handshake completes.
    const rude = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = rude.address() as AddressInfo;
      const answer = await mailerAt(`https://127.0.0.1:${port}`).sendMail(request());
      expect(answer).toMatchObject({ kind: 'network', phase: 'before-send', errorCode: 'ECONNRESET' });
    } finally {
      await new Promise<void>((resolve) =>
        rude.close(() => {
          resolve();
        }),
      );
    }
  });
});
