import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, systemIds } from '../../src/adapters/system/system-clock.js';
import { runSimulatorCommand } from '../../src/sim/command.js';
import { trustedCertDir } from './support/graph.js';

describe('runSimulatorCommand', () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'hr-courier-simcmd-'));
    // The command keeps its certificate in <stateDir>/cert; link that to the one this worker trusts.
    await symlink(trustedCertDir(), join(stateDir, 'cert'), 'junction');
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('prints the environment for a worker, serves until aborted, then closes', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    let announced!: () => void;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const running = runSimulatorCommand({
      clock: systemClock,
      ids: systemIds,
      stateDir,
      mailboxes: ['offers@contoso.com'],
      out: (line) => {
        lines.push(line);
        if (line.startsWith('export HR_COURIER_DEV_MODE=')) announced();
      },
      signal: controller.signal,
    });
    await Promise.race([ready, running]);

    expect(lines[0]).toMatch(/^# Graph simulator on https:\/\/127\.0\.0\.1:\d+/);
    const env = Object.fromEntries(
      lines
        .filter((l) => l.startsWith('export '))
        .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)?.slice(1) ?? [])
        .map(([k = '', v = '']) => [k, v.replace(/^'|'$/g, '')]),
    );
    expect(Object.keys(env).sort()).toEqual([
      'GRAPH_BASE_URL',
      'HR_COURIER_DEV_MODE',
      'IDENTITY_ENDPOINT',
      'IDENTITY_HEADER',
      'NODE_EXTRA_CA_CERTS',
    ]);
    expect(env.HR_COURIER_DEV_MODE).toBe('1');
    expect(dirname(env.NODE_EXTRA_CA_CERTS ?? '')).toBe(join(stateDir, 'cert'));

    const identity = await fetch(
      `${env.IDENTITY_ENDPOINT ?? ''}?api-version=2019-08-01&resource=https://graph.microsoft.com`,
      {
        headers: { 'X-IDENTITY-HEADER': env.IDENTITY_HEADER ?? '' },
      },
    );
    expect(identity.status).toBe(200);
    const stats = await fetch(`${env.GRAPH_BASE_URL ?? ''}/_sim/stats`);
    expect(await stats.json()).toMatchObject({ accepted: 0, tokensIssued: 1 });

    controller.abort();
    await running;
    for (const url of [env.IDENTITY_ENDPOINT ?? '', `${env.GRAPH_BASE_URL ?? ''}/_sim/stats`]) {
      const afterClose = await fetch(url).then(
        () => 'answered',
        () => 'refused',
      );
      expect(afterClose).toBe('refused');
    }
  });

  it('applies and announces the limits, latency and seed it was given', async () => {
    const lines: string[] = [];
    const controller = new AbortController();
    let announced!: () => void;
    const ready = new Promise<void>((resolve) => (announced = resolve));
    const running = runSimulatorCommand({
      clock: systemClock,
      ids: systemIds,
      stateDir,
      mailboxes: ['offers@contoso.com'],
      maxConcurrentPerApp: 2,
      maxConcurrentPerMailbox: 0,
      throttleRetryAfterSec: 3,
      mailboxPerMinute: 0,
      recipientsPerDay: 500,
      recipientWindowMs: 60_000,
      latencyMs: 5,
      latencyJitterMs: 2,
      seed: 9,
      out: (line) => {
        lines.push(line);
        if (line.startsWith('export HR_COURIER_DEV_MODE=')) announced();
      },
      signal: controller.signal,
    });
    await Promise.race([ready, running]);
    controller.abort();
    await running;

    const banner = lines.find((l) => l.startsWith('# Limits:')) ?? '';
    expect(banner).toContain('2 per app, no limit per mailbox');
    expect(banner).toContain('Retry-After 3 s');
    expect(banner).toContain('mails: not counted');
    expect(banner).toContain('500 recipients per 60000 ms');
    expect(banner).toContain('latency 5 ms + up to 2 ms');
    expect(banner).toContain('seed 9');
  });

  it('refuses a limit that is not a whole number, naming the option', async () => {
    const attempt = runSimulatorCommand({
      clock: systemClock,
      ids: systemIds,
      stateDir,
      mailboxes: ['offers@contoso.com'],
      maxConcurrentPerApp: Number.NaN,
      out: () => undefined,
      signal: AbortSignal.abort(),
    });
    await expect(attempt).rejects.toThrow(/maxConcurrentPerApp/);
  });
});
