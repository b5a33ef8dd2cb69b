import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ensureCertificate } from './cert.js';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { createFaultInjector } from './fault-injector.js';
import { graphSteps } from './graph-app.js';
import { MAX_REQUEST_BYTES } from './graph-steps.js';
import { IDENTITY_PATH, identityEndpointStep } from './identity-endpoint.js';
import { createLatency } from './latency.js';
import { startListener } from './listener.js';
import { createMailStore } from './mail-store.js';
import { createPauseBook } from './pauses.js';
import { compose } from './pipeline.js';
import { effectiveLimits } from './limits.js';
import { derivedSeed, seededRandom } from './prng.js';
import { createSendingLimits } from './sending-limits.js';
import { createCounters } from './stats.js';
import { createTokenStore } from './token-store.js';
import type { SimulatorHandle, SimulatorOptions, SimulatorStats } from './types.js';

export type {
  AcceptedMail,
  SimulatorFaults,
  SimulatorHandle,
  SimulatorLimits,
  SimulatorOptions,
  SimulatorStats,
} from './types.js';
export type { FaultAction, FaultMatch, FaultOperation, FaultRule, FaultRuleState } from './fault-types.js';
export { FaultRuleError } from './fault-rule.js';
export { ensureCertificate } from './cert.js';
export { describeLimits, effectiveLimits, SIMULATOR_DEFAULTS } from './limits.js';

/**
 * Starts the Graph simulator (docs/architecture.md §8): Graph's sendMail and message look-ups over HTTPS
 * on 127.0.0.1, and an App Service style managed-identity endpoint over HTTP, both on loopback only.
 * The certificate comes from `certDir` (generated when missing); whoever talks to the simulator
 * must have been started with NODE_EXTRA_CA_CERTS pointing at it (see `env()`).
 */
export async function startSimulator(options: SimulatorOptions): Promise<SimulatorHandle> {
  const { clock, ids } = options;
  const now = () => clock.now();
  const onError = (e: unknown) => {
    console.error(
      `graph simulator: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  };
  const cert = await ensureCertificate(options.certDir);
  const outboxDir = resolve(options.outboxDir);
  const mailboxes = new Set(options.mailboxes.map((m) => m.toLowerCase()));
  const allowedSenders = new Set((options.allowedSenders ?? options.mailboxes).map((m) => m.toLowerCase()));
  const identityHeader = options.identityHeader ?? randomBytes(24).toString('base64url');
  const transportDelayMs = options.transportDelayMs ?? 0;
  const sentItemsDelayMs = options.sentItemsDelayMs ?? 0;
  const limits = effectiveLimits(options);
  const seed = limits.seed;

  const tokens = createTokenStore({ lifetimeMs: (options.tokenLifetimeSec ?? 86_400) * 1000 });
  const store = createMailStore({ transportDelayMs, sentItemsDelayMs });
  const counters = createCounters();
  const pauses = createPauseBook();
  const faults = createFaultInjector({ now, random: () => seededRandom(derivedSeed(seed, 1)) });
  const latency = createLatency({
    clock,
    latencyMs: limits.latencyMs,
    jitterMs: limits.latencyJitterMs,
    random: () => seededRandom(derivedSeed(seed, 2)),
  });
  const concurrency = createConcurrencyLimit({
    perApp: limits.maxConcurrentPerApp,
    perMailbox: limits.maxConcurrentPerMailbox,
    retryAfterSec: limits.throttleRetryAfterSec,
    now,
  });
  const sendingLimits = createSendingLimits({
    messagesPerWindow: limits.mailboxPerMinute,
    rateWindowMs: limits.rateWindowMs,
    recipientsPerWindow: limits.recipientsPerDay,
    recipientWindowMs: limits.recipientWindowMs,
  });

  const stats = (): SimulatorStats => ({
    accepted: store.accepted().length,
    rejectedByStatus: { ...counters.rejectedByStatus },
    sendsByKey: store.sendsByKey(),
    tokensIssued: tokens.issued,
    maxInFlight: counters.maxInFlight,
    lookups: counters.lookups,
    inFlight: counters.inFlight,
    maxInFlightByMailbox: concurrency.maxInFlightByMailbox(),
    acceptedByMailbox: sendingLimits.acceptedByMailbox(),
    overRateByMailbox: sendingLimits.overRateByMailbox(),
    overBudgetByMailbox: sendingLimits.overBudgetByMailbox(),
    throttled: { ...counters.throttled },
    callsDuringPause: {
      total: counters.callsDuringPause.total,
      byMailbox: { ...counters.callsDuringPause.byMailbox },
    },
    faultsApplied: faults.applied(),
    resets: counters.resets,
  });
  const reset = () => {
    store.reset();
    counters.reset();
    tokens.resetCount();
    pauses.reset();
    faults.reset();
    latency.reset();
    concurrency.reset();
    sendingLimits.reset();
  };
  const revokeTokens = () => tokens.revokeAll();
  const faultControls = {
    add: (rule: unknown) => faults.add(rule),
    remove: (id: string) => faults.remove(id),
    clear: () => faults.clear(),
    list: () => faults.list(),
  };

  const graph = await startListener({
    tls: { cert: cert.cert, key: cert.key },
    port: options.port ?? 0,
    maxBodyBytes: MAX_REQUEST_BYTES,
    handle: compose(
      graphSteps({
        clock,
        ids,
        tokens,
        store,
        counters,
        admin: { stats, accepted: () => store.accepted(), reset, revokeTokens, faults: faultControls },
        mailboxes,
        allowedSenders,
        outboxDir,
        maxRecipients: options.maxRecipients ?? 500,
        transportDelayMs,
        sentItemsDelayMs,
        pauses,
        concurrency,
        latency,
        faults,
        sendingLimits,
        onError,
      }),
    ),
    now,
    ids,
    onError,
  });
  const identity = await startListener({
    port: options.identityPort ?? 0,
    // Token requests are GETs; nothing legitimate sends a body.
    maxBodyBytes: 64 * 1024,
    handle: compose([identityEndpointStep({ tokens, identityHeader, systemClientId: ids.uuid(), now, ids })]),
    now,
    ids,
    onError,
  }).catch(async (e: unknown) => {
    await graph.close();
    throw e;
  });

  const baseUrl = `https://127.0.0.1:${graph.port}`;
  const identityEndpoint = `http://127.0.0.1:${identity.port}${IDENTITY_PATH}`;
  return {
    baseUrl,
    identityEndpoint,
    identityHeader,
    caCertPath: cert.certPath,
    outboxDir,
    limits,
    stats,
    accepted: () => store.accepted(),
    reset,
    revokeTokens,
    faults: faultControls,
    env: () => ({
      GRAPH_BASE_URL: baseUrl,
      IDENTITY_ENDPOINT: identityEndpoint,
      IDENTITY_HEADER: identityHeader,
      NODE_EXTRA_CA_CERTS: cert.certPath,
      HR_COURIER_DEV_MODE: '1',
    }),
    close: async () => {
      await Promise.all([graph.close(), identity.close()]);
    },
  };
}
