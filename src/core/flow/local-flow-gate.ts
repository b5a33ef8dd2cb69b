import type { Clock } from '../../ports/clock.js';
import type { FlowGate, GateDecision } from '../../ports/flow-gate.js';
import { Breaker } from './breaker.js';
import { Semaphore } from './semaphore.js';

export interface LocalGateSettings {
  appConcurrency: number;
  mailboxConcurrency: number;
  /** Wait in-process for a permit at most this long; then defer instead of holding the message. */
  maxWaitMs: number;
  /** Auth breaker: first cooldown after AcquireTokenFailed, doubling per failed probe up to the max. */
  authCooldownMs?: number;
  authMaxCooldownMs?: number;
  /** Mailbox breaker: how often one held message is let through as a probe after a 403. */
  mailboxProbeMs?: number;
}

export const DEFAULT_BREAKER_TIMES = {
  authCooldownMs: 60_000,
  authMaxCooldownMs: 15 * 60_000,
  mailboxProbeMs: 5 * 60_000,
};

/**
 * The flow gate inside one process: app-wide and per-mailbox concurrency, pauses after a 429, and the
 * auth and mailbox breakers. Limits across instances (shared in Table Storage) build on the same port.
 */
export function createLocalFlowGate(settings: LocalGateSettings, clock: Clock): FlowGate {
  const times = { ...DEFAULT_BREAKER_TIMES, ...settings };
  const app = new Semaphore(settings.appConcurrency);
  const mailboxes = new Map<string, Semaphore>();
  const pauses = new Map<string, number>();
  const auth = new Breaker(times.authCooldownMs, times.authMaxCooldownMs);
  const blocked = new Map<string, Breaker>();
  /** Permits whose holder is a breaker's probe: its outcome decides the breaker. */
  const probes = new Set<string>();

  const mailbox = (sender: string) => {
    let s = mailboxes.get(sender);
    if (!s) {
      s = new Semaphore(settings.mailboxConcurrency);
      mailboxes.set(sender, s);
    }
    return s;
  };
  const mailboxBreaker = (sender: string) => {
    let b = blocked.get(sender);
    if (!b) {
      b = new Breaker(times.mailboxProbeMs, times.mailboxProbeMs);
      blocked.set(sender, b);
    }
    return b;
  };
  const pausedFor = (sender: string) =>
    Math.max(pauses.get('app') ?? 0, pauses.get(`mailbox:${sender}`) ?? 0) - clock.now();

  /** Breakers first: held work waits without taking a permit. */
  const breakerDecision = (sender: string): GateDecision | undefined => {
    for (const [id, breaker, reason] of [
      ['auth', auth, 'AuthBlocked'],
      [`mailbox:${sender}`, mailboxBreaker(sender), 'MailboxBlocked'],
    ] as const) {
      const verdict = breaker.check(clock.now());
      if (verdict.kind === 'wait') return { kind: 'defer', delayMs: verdict.ms, reason };
      if (verdict.kind === 'probe') probes.add(id);
    }
    return undefined;
  };

  const releaseProbes = (sender: string) => {
    const boxId = `mailbox:${sender}`;
    if (probes.delete('auth')) auth.release();
    if (probes.delete(boxId)) mailboxBreaker(sender).release();
  };

  return {
    async acquire({ sender, signal }): Promise<GateDecision> {
      const paused = pausedFor(sender);
      if (paused > 0) return { kind: 'defer', delayMs: paused, reason: 'Paused' };
      const held = breakerDecision(sender);
      if (held) return held;
      const timeout = AbortSignal.timeout(settings.maxWaitMs);
      const wait = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const box = mailbox(sender);
      const giveUp = (reason: string): GateDecision => {
        releaseProbes(sender); // a probe that did not get to call Graph lets the next caller probe
        return { kind: 'defer', delayMs: settings.maxWaitMs, reason };
      };
      if (!(await box.acquire(wait))) return giveUp('MailboxBusy');
      if (!(await app.acquire(wait))) {
        box.release();
        return giveUp('AppBusy');
      }
      let released = false;
      return {
        kind: 'granted',
        release: () => {
          if (!released) {
            released = true;
            app.release();
            box.release();
          }
          return Promise.resolve();
        },
      };
    },
    pause({ sender, scope, untilMs }) {
      const id = scope === 'app' ? 'app' : `mailbox:${sender}`;
      const current = pauses.get(id) ?? 0;
      if (untilMs <= current) return Promise.resolve({ started: false });
      pauses.set(id, untilMs);
      return Promise.resolve({ started: current <= clock.now() });
    },
    record({ sender, outcome }) {
      const box = mailboxBreaker(sender);
      const boxId = `mailbox:${sender}`;
      let tripped = false;
      let recovered = false;
      if (outcome === 'sent') {
        recovered = auth.succeed();
        recovered = box.succeed() || recovered;
      } else if (outcome === 'auth-failed') {
        tripped = auth.trip(clock.now());
        probes.delete('auth');
      } else if (outcome === 'policy-denied') {
        tripped = box.trip(clock.now());
        probes.delete(boxId);
      }
      releaseProbes(sender);
      return Promise.resolve({ tripped, recovered });
    },
  };
}
