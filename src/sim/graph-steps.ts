import { graphHeaders, respondError, WWW_AUTHENTICATE } from './graph-responses.js';
import { GraphRejection } from './json-shape.js';
import { headerValue, type SimContext, type Step } from './pipeline.js';
import { matchRoute } from './router.js';
import type { TokenStore } from './token-store.js';

/** Graph refuses requests above 4 MB (base64 attachments included). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * Outermost: whatever answered, the response carries Graph's tracing headers. A rejection thrown by
 * a step becomes its Graph error; a simulator bug becomes Graph's 500, and is reported.
 */
export function graphHeadersStep(now: () => number, onError: (e: unknown) => void): Step {
  return async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      if (e instanceof GraphRejection) respondError(ctx, e.error, now());
      else {
        onError(e);
        const error = {
          status: 500,
          code: 'ErrorInternalServerError',
          message: 'An internal server error occurred. The operation failed.',
        };
        respondError(ctx, error, now());
      }
    }
    ctx.response.headers = { ...ctx.response.headers, ...graphHeaders(ctx, now()) };
  };
}

export function routeStep(now: () => number): Step {
  return async (ctx, next) => {
    const match = matchRoute(ctx.request.method, ctx.request.url.pathname);
    if (!match.ok) {
      respondError(ctx, match.error, now());
      return;
    }
    ctx.route = match.route;
    await next();
  };
}

export function sizeLimitStep(now: () => number): Step {
  return async (ctx, next) => {
    if (ctx.request.bodyTooLarge) {
      respondError(
        ctx,
        {
          status: 413,
          code: 'RequestEntityTooLarge',
          message: 'The maximum request length supported is 4MB.',
        },
        now(),
      );
      return;
    }
    await next();
  };
}

export function authStep(tokens: TokenStore, now: () => number): Step {
  const messages = {
    missing: 'Access token is empty.',
    unknown: 'Access token validation failure.',
    audience: 'Access token validation failure. Invalid audience.',
    expired: 'Lifetime validation failed, the token is expired.',
  } as const;
  return async (ctx, next) => {
    if (!ctx.route?.auth) {
      await next();
      return;
    }
    const check = tokens.check(headerValue(ctx.request.headers, 'authorization'), now());
    if (!check.ok) {
      respondError(
        ctx,
        {
          status: 401,
          code: 'InvalidAuthenticationToken',
          message: messages[check.reason],
          headers: { 'www-authenticate': WWW_AUTHENTICATE },
        },
        now(),
      );
      return;
    }
    await next();
  };
}

/**
 * Finds `{mailbox}` of the URL among the mailboxes (case-insensitively) and applies the Exchange
 * fence: an unknown mailbox is 404 ErrorInvalidUser, one outside the app's scope is 403
 * ErrorAccessDenied.
 */
export function mailboxStep(deps: {
  mailboxes: ReadonlySet<string>;
  allowedSenders: ReadonlySet<string>;
  now: () => number;
}): Step {
  return async (ctx, next) => {
    const param = ctx.route?.params.mailbox;
    if (param === undefined) {
      await next();
      return;
    }
    const mailbox = param.toLowerCase();
    if (!deps.mailboxes.has(mailbox)) {
      respondError(
        ctx,
        { status: 404, code: 'ErrorInvalidUser', message: `The requested user '${param}' is invalid.` },
        deps.now(),
      );
      return;
    }
    if (!deps.allowedSenders.has(mailbox)) {
      respondError(
        ctx,
        { status: 403, code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' },
        deps.now(),
      );
      return;
    }
    ctx.mailbox = mailbox;
    await next();
  };
}

export type Handler = (ctx: SimContext) => Promise<void> | void;

/** Innermost: the route's handler. */
export function dispatchStep(handlers: Record<string, Handler>): Step {
  return async (ctx) => {
    const handler = ctx.route ? handlers[ctx.route.name] : undefined;
    if (!handler) throw new Error(`no simulator handler for route ${ctx.route?.name ?? '(none)'}`);
    await handler(ctx);
  };
}
