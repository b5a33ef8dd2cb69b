import type { Clock, Ids } from '../ports/clock.js';
import { adminHandlers, type AdminDeps } from './admin.js';
import {
  authStep,
  dispatchStep,
  graphHeadersStep,
  latencyStep,
  type Handler,
  mailboxStep,
  routeStep,
  sizeLimitStep,
} from './graph-steps.js';
import { listMessages } from './list-messages.js';
import type { MailStore } from './mail-store.js';
import type { Step } from './pipeline.js';
import { sendMail } from './send-mail.js';
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
  latencyMs: number;
  transportDelayMs: number;
  sentItemsDelayMs: number;
  onError: (e: unknown) => void;
}

/**
 * The Graph listener's chain, in the order Graph applies its checks: route, size, token, mailbox
 * and fence, then the operation. Flow control slots in as further steps, without touching these:
 * concurrency limits next to `countingStep` (it already tracks requests in flight), 429 storms, 503
 * bursts and per-mailbox rates after `mailboxStep` (the mailbox is known there), and "500/504 after
 * accepting" just before `dispatchStep` (await `next()`, then replace the 202 it produced).
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
    latencyStep(deps.clock, deps.latencyMs),
    sizeLimitStep(now),
    authStep(deps.tokens, now),
    mailboxStep({ mailboxes: deps.mailboxes, allowedSenders: deps.allowedSenders, now }),
    dispatchStep(handlers),
  ];
}
