import { respondJson } from './graph-responses.js';
import type { Handler } from './graph-steps.js';
import type { AcceptedMail, SimulatorStats } from './types.js';

export interface AdminDeps {
  stats: () => SimulatorStats;
  accepted: () => AcceptedMail[];
  reset: () => void;
  revokeTokens: () => number;
}

/**
 * `/_sim/…` controls for tests and dev tools in other processes: read the counts and the accepted
 * mail, start over, or invalidate every token issued so far (to provoke a 401).
 */
export function adminHandlers(deps: AdminDeps): Record<string, Handler> {
  return {
    'admin.stats': (ctx) => {
      respondJson(ctx, 200, deps.stats());
    },
    'admin.accepted': (ctx) => {
      respondJson(ctx, 200, { value: deps.accepted() });
    },
    'admin.reset': (ctx) => {
      deps.reset();
      respondJson(ctx, 200, { reset: true });
    },
    'admin.revokeTokens': (ctx) => {
      respondJson(ctx, 200, { revoked: deps.revokeTokens() });
    },
  };
}
