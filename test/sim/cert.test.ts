import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate } from '../../src/sim/cert.js';

const DAY_MS = 86_400_000;
/** DER of the sha256WithRSAEncryption OID (1.2.840.113549.1.1.11). */
const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b', 'hex');

async function serve(cert: string, key: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert, key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function stop(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

describe('ensureCertificate', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hr-courier-cert-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a loopback certificate that is its own trust anchor, with a private key only its owner reads', async () => {
    const files = await ensureCertificate(join(root, 'fresh'));
    const x509 = new X509Certificate(files.cert);
    expect(x509.ca).toBe(true);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toMatch(/IP Address:(::1|0:0:0:0:0:0:0:1)/);
    expect(x509.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // extKeyUsage serverAuth
    expect(x509.raw.includes(SHA256_WITH_RSA)).toBe(true);
    const days = (Date.parse(x509.validTo) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(360);
    expect(days).toBeLessThan(370);
    expect((await stat(files.keyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(files.certPath, 'utf8')).toBe(files.cert);
  });

  it('reuses a certificate that is still valid for a week or more', async () => {
    const first = await ensureCertificate(join(root, 'reuse'));
    const second = await ensureCertificate(join(root, 'reuse'));
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
  });

  it('replaces one that expires within 7 days', async () => {
    const dir = join(root, 'expiring');
    await mkdir(dir);
    const old = await generate([{ name: 'commonName', value: 'old' }], {
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 3 * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    await writeFile(join(dir, 'cert.pem'), old.cert);
    await writeFile(join(dir, 'key.pem'), old.private);
    const renewed = await ensureCertificate(dir);
    expect(renewed.cert).not.toBe(old.cert);
    expect(Date.parse(new X509Certificate(renewed.cert).validTo) - Date.now()).toBeGreaterThan(300 * DAY_MS);
  });

  it('gives concurrent callers on an empty folder one matching pair', async () => {
    const dir = join(root, 'race');
    const results = await Promise.all([1, 2, 3].map(() => ensureCertificate(dir)));
    expect(new Set(results.map((r) => r.cert)).size).toBe(1);
    const onDisk = await ensureCertificate(dir);
    const { server, port } = await serve(onDisk.cert, onDisk.key); // would throw on a mismatched key
    await stop(server);
    expect(port).toBeGreaterThan(0);
  });
});

describe('the trust set up by vitest.config.ts', () => {
  it('makes forked test workers trust the test certificate, and nothing self-signed besides', async () => {
    const ca = process.env.NODE_EXTRA_CA_CERTS ?? '';
    expect(ca).toMatch(/test-cert[\\/]cert\.pem$/);
    const trusted = await ensureCertificate(dirname(ca));
    const good = await serve(trusted.cert, trusted.key);
    const other = await generate([{ name: 'commonName', value: 'stranger' }], {
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const bad = await serve(other.cert, other.private);
    try {
      const reply = await fetch(`https://127.0.0.1:${good.port}/`);
      expect(await reply.text()).toBe('ok');
      const refused = await fetch(`https://127.0.0.1:${bad.port}/`).then(
        () => 'connected',
        (e: unknown) => (e as { cause?: { code?: string } }).cause?.code ?? 'failed',
      );
      expect(refused).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      await stop(good.server);
      await stop(bad.server);
    }
  });
});
