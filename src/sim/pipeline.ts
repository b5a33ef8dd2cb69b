import type { IncomingHttpHeaders } from 'node:http';
import type { AcceptedMail } from './types.js';

/**
 * The simulator's request pipeline: a chain of small steps, each free to answer, to pass the
 * request on with `next()`, or to act after the rest of the chain has answered. Flow-control
 * behaviour (latency, 429 storms, 503 bursts, "500/504 after accepting", concurrency limits,
 * per-mailbox rates) is added by inserting steps, without touching the handlers.
 */

export interface SimRequest {
  method: string;
  /** The URL as received, parsed against the listener's base URL. */
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body, up to the listener's limit (empty when it was over). */
  body: Buffer;
  /** Bytes received, including any beyond the limit. */
  bodyBytes: number;
  bodyTooLarge: boolean;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Answer nothing: destroy the connection once the request was read (a reset fault). */
  reset?: boolean;
}

export interface RouteMatch {
  /** A stable route name such as `sendMail` or `admin.stats`. */
  name: string;
  /** Decoded path parameters, e.g. `{ mailbox: 'offers@contoso.com' }`. */
  params: Record<string, string>;
  /** Whether a bearer token from the managed-identity endpoint is required. */
  auth: boolean;
}

export interface SimContext {
  readonly request: SimRequest;
  /** Graph's `request-id` for this request (a new GUID). */
  readonly requestId: string;
  /** The caller's `client-request-id`, or a new GUID when none was sent (as Graph does). */
  readonly clientRequestId: string;
  /** Whether the caller sent a `client-request-id`. */
  readonly clientRequestIdSent: boolean;
  /** Simulator clock, epoch ms, when the request was received. */
  readonly receivedAt: number;
  route?: RouteMatch;
  /** The mailbox of the URL, as configured (lower-case), once a step has found it among the configured ones. */
  mailbox?: string;
  /** Set by sendMail once the mail is accepted (outbox, look-ups, counts), whatever is answered after. */
  accepted?: AcceptedMail;
  /** Set by the step that answers 429 when it knows which pause the answer announces. */
  throttleScope?: 'app' | 'mailbox';
  response: SimResponse;
}

export type Next = () => Promise<void>;
export type Step = (ctx: SimContext, next: Next) => Promise<void>;

/** Runs `steps` in order; each step decides whether and when the rest of the chain runs. */
export function compose(steps: readonly Step[]): (ctx: SimContext) => Promise<void> {
  return (ctx) => {
    const run = (i: number): Promise<void> => {
      const step = steps[i];
      if (!step) return Promise.resolve();
      let called = false;
      return step(ctx, () => {
        if (called) return Promise.reject(new Error('next() called twice by one simulator step'));
        called = true;
        return run(i + 1);
      });
    };
    return run(0);
  };
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
