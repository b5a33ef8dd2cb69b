import type { Clock } from '../ports/clock.js';
import type { FaultInjector } from './fault-injector.js';
import type { FaultAction } from './fault-types.js';
import { JSON_CONTENT_TYPE, respondError } from './graph-responses.js';
import type { SimContext, Step } from './pipeline.js';
import { operationOf, requestKey } from './request-key.js';

/** Messages for rules that give none: short, generic, like Graph's own. */
const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'Too many requests.',
  500: 'An internal server error occurred. The operation failed.',
  502: 'Bad gateway.',
  503: 'The service is currently unavailable.',
  504: 'The gateway timed out.',
};

/**
 * Fault injection, once routing, the token and the mailbox were checked (an unknown mailbox is still
 * a 404) and the request was admitted by the concurrency limits. Rules acting `before` answer instead
 * of the operation (nothing accepted) or delay it; rules acting after acceptance let sendMail accept
 * the mail exactly as for a 202 — outbox, key count, look-ups — and then replace the answer: the
 * ambiguous case a client must never blindly retry. After-acceptance rules only see requests whose
 * operation succeeded (an invalid mail keeps its 400).
 */
export function faultStep(deps: { faults: FaultInjector; clock: Clock }): Step {
  return async (ctx, next) => {
    const operation = operationOf(ctx);
    const sender = ctx.mailbox;
    if (operation === undefined || sender === undefined) {
      await next();
      return;
    }
    const target = { operation, sender, key: requestKey(ctx) };
    const before = deps.faults.pick(target, 'before');
    if (before) {
      if (before.action.kind !== 'delay') {
        answer(ctx, before.action, deps.clock.now());
        return;
      }
      await deps.clock.sleep(before.action.ms);
    }
    await next();
    const succeeded = operation === 'sendMail' ? ctx.accepted !== undefined : ctx.response.status === 200;
    if (!succeeded) return;
    const after = deps.faults.pick(target, 'after');
    if (!after) return;
    if (after.action.kind === 'delay') await deps.clock.sleep(after.action.ms);
    else answer(ctx, after.action, deps.clock.now());
  };
}

function answer(ctx: SimContext, action: Exclude<FaultAction, { kind: 'delay' }>, now: number): void {
  if (action.kind === 'reset') {
    ctx.response = { status: 0, headers: {}, body: '', reset: true };
    return;
  }
  const headers: Record<string, string> = {};
  if (action.retryAfter !== undefined) headers['retry-after'] = action.retryAfter;
  if (action.pauseScope !== undefined) ctx.throttleScope = action.pauseScope;
  if (action.status < 300) {
    // Graph's 202 (empty, with its JSON content type), carrying what the rule adds.
    ctx.response = {
      status: action.status,
      headers: { 'content-type': JSON_CONTENT_TYPE, ...headers },
      body: '',
    };
    return;
  }
  const message =
    action.message ?? DEFAULT_MESSAGES[action.status] ?? `The request failed with status ${action.status}.`;
  respondError(ctx, { status: action.status, code: action.code, message, headers }, now);
}
