import type { FaultInjector } from './fault-injector.js';
import { FaultRuleError } from './fault-rule.js';
import type { FaultRuleState } from './fault-types.js';
import { respondJson } from './graph-responses.js';
import type { Handler } from './graph-steps.js';
import { reject } from './json-shape.js';
import type { SimContext } from './pipeline.js';
import type { AcceptedMail, SimulatorStats } from './types.js';

export interface AdminDeps {
  stats: () => SimulatorStats;
  accepted: () => AcceptedMail[];
  reset: () => void;
  revokeTokens: () => number;
  /** Rules from JSON are `unknown` until the injector has validated them. */
  faults: Pick<FaultInjector, 'add' | 'remove' | 'clear' | 'list'>;
}

/**
 * `/_sim/…` controls for tests, dev tools and benchmarks in other processes: read the counts and the
 * accepted mail (`?key=` and `?sender=` narrow it), start over, invalidate every token issued so far
 * (to provoke a 401), and add, list and remove fault rules.
 */
export function adminHandlers(deps: AdminDeps): Record<string, Handler> {
  return {
    'admin.stats': (ctx) => {
      respondJson(ctx, 200, deps.stats());
    },
    'admin.accepted': (ctx) => {
      const query = ctx.request.url.searchParams;
      const key = query.get('key');
      const sender = query.get('sender')?.toLowerCase();
      const value = deps
        .accepted()
        .filter((m) => (key === null || m.key === key) && (sender === undefined || m.sender === sender));
      respondJson(ctx, 200, { value });
    },
    'admin.reset': (ctx) => {
      deps.reset();
      respondJson(ctx, 200, { reset: true });
    },
    'admin.revokeTokens': (ctx) => {
      respondJson(ctx, 200, { revoked: deps.revokeTokens() });
    },
    'admin.faults.list': (ctx) => {
      respondJson(ctx, 200, { value: deps.faults.list() satisfies FaultRuleState[] });
    },
    'admin.faults.add': (ctx) => {
      respondJson(ctx, 201, { id: addRule(ctx, deps.faults) });
    },
    'admin.faults.clear': (ctx) => {
      respondJson(ctx, 200, { cleared: deps.faults.clear() });
    },
    'admin.faults.remove': (ctx) => {
      const id = ctx.route?.params.id ?? '';
      if (!deps.faults.remove(id)) reject(404, 'ResourceNotFound', 'No fault rule has this id.');
      respondJson(ctx, 200, { removed: id });
    },
  };
}

function addRule(ctx: SimContext, faults: AdminDeps['faults']): string {
  let rule: unknown;
  try {
    rule = JSON.parse(ctx.request.body.toString('utf8'));
  } catch {
    return reject(400, 'InvalidFaultRule', 'The body must be a fault rule as JSON.');
  }
  try {
    return faults.add(rule);
  } catch (e) {
    if (e instanceof FaultRuleError) return reject(400, 'InvalidFaultRule', e.message);
    throw e;
  }
}
