import { z } from 'zod';

/** Which Graph requests a fault rule looks at: sendMail, the extended-property look-ups, or both. */
export type FaultOperation = 'sendMail' | 'lookup' | 'any';

export interface FaultMatch {
  operation?: FaultOperation;
  /** The sender mailbox of the URL (compared case-insensitively). */
  sender?: string;
  /** An HrCourierKey value: the key of the mail sent, or the key a look-up filters on. */
  key?: string;
}

/** Answer with Graph's error body (or, for 202 after acceptance, Graph's empty 202). */
export interface StatusFault {
  kind: 'status';
  /** 400–599; 202 only with `afterAccept` (a 202 that carries Retry-After). */
  status: number;
  /** Graph's `error.code` (not used for a 202). */
  code: string;
  message?: string;
  /** Sent as the `Retry-After` header: seconds or an HTTP-date. */
  retryAfter?: string;
  /** Accept the mail exactly as a 202 would, then answer with this status. */
  afterAccept?: boolean;
  /**
   * For a 429: which pause it announces. Default: the mailbox when the code or message names
   * `MailboxConcurrency` (what clients read), else the app.
   */
  pauseScope?: 'app' | 'mailbox';
}

/** Destroy the socket once the body was read: the client gets no answer at all. */
export interface ResetFault {
  kind: 'reset';
  afterAccept?: boolean;
}

/** A slow answer, then the normal outcome. */
export interface DelayFault {
  kind: 'delay';
  ms: number;
  /** Wait after the mail was accepted (the client may time out on a sent mail) instead of before. */
  afterAccept?: boolean;
}

export type FaultAction = StatusFault | ResetFault | DelayFault;

export interface FaultRule {
  match?: FaultMatch;
  /** Apply to this many matching requests, then retire (default: unlimited). */
  times?: number;
  /** Skip this many matching requests before applying (e.g. fail only the 3rd). */
  skip?: number;
  /** Apply to this fraction of matching requests, from the simulator's seeded generator. */
  probability?: number;
  /** Active only for this long after it is added (a "storm"), simulator clock. */
  forMs?: number;
  action: FaultAction;
}

/** A rule the simulator refused; the message names fields and limits, never values. */
export class FaultRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultRuleError';
  }
}

/** The longest delay a rule may ask for: long enough for any client timeout, short enough to end. */
export const MAX_FAULT_DELAY_MS = 10 * 60_000;

const retryAfter = z
  .union([z.string(), z.number().int().nonnegative().transform(String)])
  .refine((v) => /^\d{1,9}$/.test(v) || !Number.isNaN(Date.parse(v)), {
    message: 'must be whole seconds or an HTTP-date',
  });

const statusAction = z
  .strictObject({
    kind: z.literal('status'),
    status: z.number().int().min(200).max(599),
    code: z.string().max(200),
    message: z.string().max(1000).optional(),
    retryAfter: retryAfter.optional(),
    afterAccept: z.boolean().optional(),
    pauseScope: z.enum(['app', 'mailbox']).optional(),
  })
  .refine((a) => a.status >= 400 || (a.status === 202 && a.afterAccept === true), {
    message: 'must be 400–599, or 202 with afterAccept',
    path: ['status'],
  })
  .refine((a) => a.status < 400 || a.code !== '', { message: 'must not be empty', path: ['code'] });

const ruleSchema = z.strictObject({
  match: z
    .strictObject({
      operation: z.enum(['sendMail', 'lookup', 'any']).optional(),
      sender: z
        .string()
        .min(1)
        .transform((s) => s.toLowerCase())
        .optional(),
      key: z.string().min(1).optional(),
    })
    .optional(),
  times: z.number().int().min(1).optional(),
  skip: z.number().int().min(0).optional(),
  probability: z.number().min(0).max(1).optional(),
  forMs: z.number().positive().optional(),
  action: z.discriminatedUnion('kind', [
    statusAction,
    z.strictObject({ kind: z.literal('reset'), afterAccept: z.boolean().optional() }),
    z.strictObject({
      kind: z.literal('delay'),
      ms: z.number().int().min(0).max(MAX_FAULT_DELAY_MS),
      afterAccept: z.boolean().optional(),
    }),
  ]),
});

/** Checks a rule given in-process or as JSON over the admin API; throws FaultRuleError. */
export function parseFaultRule(input: unknown): FaultRule {
  const parsed = ruleSchema.safeParse(input);
  if (parsed.success) return withoutUndefined(parsed.data) as FaultRule;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new FaultRuleError(`invalid fault rule: ${problems.join('; ')}`);
}

/** Optional fields that were absent stay absent, so `list()` shows the rule as it was written. */
function withoutUndefined(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  );
}
