import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ensureCertificate } from './src/sim/cert.js';

export default defineConfig(async () => {
  // Node reads NODE_EXTRA_CA_CERTS only when a process starts, so the Graph simulator's certificate
  // must exist before the test workers are forked: they then trust it, with no TLS bypass anywhere.
  const { certPath } = await ensureCertificate(
    fileURLToPath(new URL('.hr-courier/test-cert', import.meta.url)),
  );
  process.env.NODE_EXTRA_CA_CERTS = certPath;
  return {
    test: {
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      env: { NODE_EXTRA_CA_CERTS: certPath },
    },
  };
});
