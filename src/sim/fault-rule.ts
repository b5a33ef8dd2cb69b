import { z } from 'zod';
import type { FaultRule } from './fault-types.js';

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
