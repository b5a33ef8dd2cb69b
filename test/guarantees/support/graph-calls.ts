import type { SimulatorHandle } from '../../../src/sim/index.js';

/**
 * Counts the sendMail requests carrying `key` that got past the simulator's token, mailbox and fence
 * checks (a 401 from the token check, a 403 from the fence or a 404 for an unknown mailbox happen
 * before: count those by status). It is a fault rule that matches and never applies (probability 0),
 * so it changes no answer; add it before any fault rule for the same key, or a rule that applies
 * first hides the request from it.
 */
export function countGraphCalls(sim: SimulatorHandle, key: string): () => number {
  const id = sim.faults.add({
    match: { operation: 'sendMail', key },
    probability: 0,
    action: { kind: 'delay', ms: 0 },
  });
  return () => sim.faults.list().find((r) => r.id === id)?.seen ?? 0;
}
