import type { Clock, Ids } from '../ports/clock.js';
import { adminHandlers, type AdminDeps } from './admin.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import type { FaultInjector } from './fault-injector.js';
import { faultStep } from './fault-step.js';
import {
  authStep,
  dispatchStep,
  graphHeadersStep,
  type Handler,
  mailboxStep,
  routeStep,
  sizeLimitStep,
} from './graph-steps.js';
import type { Latency } from './latency.js';
import { listMessages } from './list-messages.js';
import type { MailStore } from './mail-store.js';
import { pauseStep, type PauseBook } from './pauses.js';
import type { Step } from './pipeline.js';
import { sendMail } from './send-mail.js';
import type { SendingLimits } from './sending-limits.js';
import { countingStep, type SimCounters } from './stats.js';
import type { TokenStore } from './token-store.js';

export interface GraphAppDeps {
  clock: Clock;
  ids: Ids;
  tokens: TokenStore;
  store: MailStore;
  counters: SimCounters;
  admin: AdminDeps;
  mailboxes: ReadonlySet<string>;
  allowedSenders: ReadonlySet<string>;
  outboxDir: string;
  maxRecipients: number;
  transportDelayMs: number;
  sentItemsDelayMs: number;
  pauses: PauseBook;
  concurrency: ConcurrencyLimit;
  latency: Latency;
  faults: FaultInjector;
  sendingLimits: SendingLimits;
  onError: (e: unknown) => void;
}

/**
 * The Graph listener's chain, in the order Graph applies its checks: route, size, token, mailbox
 * and fence, then flow control and the operation.
 * - Counting and pause accounting wrap everything after routing: a call made during a pause counts
 *   whatever its answer, and every 429 from further in announces a pause.
 * - The concurrency limits run once the mailbox is known; what they refuse never reaches the rest.
 * - Latency wraps faults and the operation, so a mail is accepted first and answered slowly, and a
 *   slow answer holds its concurrency slot.
 * - Faults act just before the operation (instead of it, or after it accepted the mail).
 * - Exchange's sending limits weigh each mail inside sendMail, when it is accepted.
 */
export function graphSteps(deps: GraphAppDeps): Step[] {
  const now = () => deps.clock.now();
  const lookupDeps = {
    store: deps.store,
    now,
    transportDelayMs: deps.transportDelayMs,
    sentItemsDelayMs: deps.sentItemsDelayMs,
  };
  const handlers: Record<string, Handler> = {
    sendMail: (ctx) =>
      sendMail(ctx, {
        store: deps.store,
        outboxDir: deps.outboxDir,
        maxRecipients: deps.maxRecipients,
        limits: deps.sendingLimits,
        now,
        ids: deps.ids,
      }),
    messages: (ctx) => {
      listMessages(ctx, lookupDeps);
    },
    folderMessages: (ctx) => {
      listMessages(ctx, lookupDeps);
    },
    ...adminHandlers(deps.admin),
  };
  return [
    graphHeadersStep(now, deps.onError),
    routeStep(now),
    countingStep(deps.counters),
    pauseStep({ pauses: deps.pauses, counters: deps.counters, now }),
    sizeLimitStep(now),
    authStep(deps.tokens, now),
    mailboxStep({ mailboxes: deps.mailboxes, allowedSenders: deps.allowedSenders, now }),
    deps.concurrency.step,
    deps.latency.step,
    faultStep({ faults: deps.faults, clock: deps.clock }),
    dispatchStep(handlers),
  ];
}
