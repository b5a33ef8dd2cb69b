import type { Clock } from '../../ports/clock.js';
import type { FlowGate, GateDecision } from '../../ports/flow-gate.js';
import { Semaphore } from './semaphore.js';

export interface LocalGateSettings {
  appConcurrency: number;
  mailboxConcurrency: number;
  /** Wait in-process for a permit at most this long; then defer instead of holding the message. */
  maxWaitMs: number;
}

/**
 * The flow gate inside one process: app-wide and per-mailbox concurrency and pauses after a 429.
 * Limits across instances (shared in Table Storage) build on the same port.
 */
export function createLocalFlowGate(settings: LocalGateSettings, clock: Clock): FlowGate {
  const app = new Semaphore(settings.appConcurrency);
  const mailboxes = new Map<string, Semaphore>();
  const pauses = new Map<string, number>();
  const mailbox = (sender: string) => {
    let s = mailboxes.get(sender);
    if (!s) {
      s = new Semaphore(settings.mailboxConcurrency);
      mailboxes.set(sender, s);
    }
    return s;
  };
  const pausedFor = (sender: string) =>
    Math.max(pauses.get('app') ?? 0, pauses.get(`mailbox:${sender}`) ?? 0) - clock.now();

  return {
    async acquire({ sender, signal }): Promise<GateDecision> {
      const paused = pausedFor(sender);
      if (paused > 0) return { kind: 'defer', delayMs: paused, reason: 'Paused' };
      const timeout = AbortSignal.timeout(settings.maxWaitMs);
      const wait = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const box = mailbox(sender);
      if (!(await box.acquire(wait)))
        return { kind: 'defer', delayMs: settings.maxWaitMs, reason: 'MailboxBusy' };
      if (!(await app.acquire(wait))) {
        box.release();
        return { kind: 'defer', delayMs: settings.maxWaitMs, reason: 'AppBusy' };
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
  };
}
