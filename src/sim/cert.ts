import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificateFiles {
  /** Absolute path of the PEM certificate: what NODE_EXTRA_CA_CERTS points at. */
  certPath: string;
  /** Absolute path of the PEM private key (mode 0600). */
  keyPath: string;
  cert: string;
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A certificate closer than this to its end is replaced, so a long dev session never sees it expire. */
const MIN_REMAINING_MS = 7 * DAY_MS;
const VALIDITY_MS = 365 * DAY_MS;
/** A lock older than this belongs to a process that died while generating. */
const STALE_LOCK_MS = 60_000;
const LOCK_POLL_MS = 50;

/**
 * Returns a self-signed certificate for the simulator's loopback HTTPS listener, generating it when
 * `dir` has none that is valid for at least 7 more days. The certificate is its own trust anchor
 * (CA:true), so pointing NODE_EXTRA_CA_CERTS at it makes Node trust the simulator with no TLS bypass.
 * Node reads that variable only at start-up: call this before starting the process that talks to
 * the simulator. Safe when several processes call it at once (a lock directory serialises writers).
 */
export async function ensureCertificate(dir: string): Promise<CertificateFiles> {
  const absDir = resolve(dir);
  const certPath = join(absDir, 'cert.pem');
  const keyPath = join(absDir, 'key.pem');
  const existing = await tryReadUsable(certPath, keyPath);
  if (existing) return existing;

  await mkdir(absDir, { recursive: true });
  const release = await acquireLock(join(absDir, '.lock'));
  try {
    // Another process may have written one while we waited for the lock.
    const written = await tryReadUsable(certPath, keyPath);
    if (written) return written;
    const pems = await generateCertificate();
    const suffix = `.${randomUUID()}.tmp`;
    await writeFile(keyPath + suffix, pems.key, { mode: 0o600 });
    await chmod(keyPath + suffix, 0o600);
    await writeFile(certPath + suffix, pems.cert, { mode: 0o644 });
    await rename(keyPath + suffix, keyPath);
    await rename(certPath + suffix, certPath);
    return { certPath, keyPath, ...pems };
  } finally {
    await release();
  }
}

async function generateCertificate(): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  // A subject unique to this certificate: when several of these sit in one NODE_EXTRA_CA_CERTS bundle
  // (dev's own plus a test's), OpenSSL looks trust anchors up by subject and would try the wrong one.
  const commonName = `hr-courier Graph simulator ${randomUUID().slice(0, 8)}`;
  const result = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_MS),
    extensions: [
      // CA:true so the one certificate is both the server certificate and the trust anchor.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}

/** The pair on disk if it parses, matches, is a loopback CA certificate and has 7+ days left. */
async function tryReadUsable(certPath: string, keyPath: string): Promise<CertificateFiles | undefined> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  } catch {
    return undefined;
  }
  try {
    const x509 = new X509Certificate(cert);
    const now = Date.now();
    const usable =
      x509.ca &&
      (x509.subjectAltName ?? '').includes('IP Address:127.0.0.1') &&
      Date.parse(x509.validFrom) <= now &&
      Date.parse(x509.validTo) - now >= MIN_REMAINING_MS &&
      x509.checkPrivateKey(createPrivateKey(key));
    return usable ? { certPath, keyPath, cert, key } : undefined;
  } catch {
    return undefined;
  }
}

/** mkdir is atomic: whoever creates the lock directory generates; the others wait for it to go. */
async function acquireLock(lockDir: string): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(lockDir);
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const since = await stat(lockDir).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > STALE_LOCK_MS) await rm(lockDir, { recursive: true, force: true });
    // No event announces another process's rmdir; a short poll is the portable way to wait.
    else await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}
