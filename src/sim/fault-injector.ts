import type { Random } from '../ports/clock.js';
import { parseFaultRule } from './fault-rule.js';
import type { FaultAction, FaultRule, FaultRuleState } from './fault-types.js';
import type { GraphOperation } from './request-key.js';

/** What a fault rule is matched against. */
export interface FaultTarget {
  operation: GraphOperation;
  /** Lower-case mailbox of the URL. */
  sender: string;
  key: string | undefined;
}

/**
 * When a rule acts: `before` the operation runs (nothing accepted), or `after` it accepted the mail
 * (the ambiguous answers). Look-ups use the same phases: after = once the look-up has run.
 */
export type FaultPhase = 'before' | 'after';

export interface AppliedFault {
  id: string;
  action: FaultAction;
}

export interface FaultInjector {
  /** Validates and adds a rule; returns its id. Throws FaultRuleError for an invalid rule. */
  add(rule: unknown): string;
  remove(id: string): boolean;
  /** Removes every rule; returns how many there were. */
  clear(): number;
  /** The rules still active, in the order they are evaluated. */
  list(): FaultRuleState[];
  /** The fault to apply to this request in this phase, if any; counts it as applied. */
  pick(target: FaultTarget, phase: FaultPhase): AppliedFault | undefined;
  /** Times each rule was applied, by id, retired rules included. */
  applied(): Record<string, number>;
  /** Forgets rules and counts and restarts the random stream, so a run after a reset repeats. */
  reset(): void;
}

export interface FaultInjectorDeps {
  now: () => number;
  /** Makes a fresh generator from the seed: called at start and on every reset. */
  random: () => Random;
}

/**
 * The rules of fault injection. Rules are evaluated in the order they were added; the first one
 * that applies to a request in a phase wins, and later rules do not see that request. A rule first
 * counts a matching request (for `skip`), then draws for `probability`, then applies and, after
 * `times` applications, retires.
 */
export function createFaultInjector(deps: FaultInjectorDeps): FaultInjector {
  let rules: FaultRuleState[] = [];
  let appliedById = new Map<string, number>();
  let random = deps.random();
  // Ids are never reused, even across resets: a client in another process may still hold an old one.
  let sequence = 0;

  const expiry = (state: FaultRuleState): number | undefined =>
    state.expiresAt === undefined ? undefined : Date.parse(state.expiresAt);
  const dropExpired = () => {
    const now = deps.now();
    rules = rules.filter((state) => {
      const end = expiry(state);
      return end === undefined || now < end;
    });
  };

  return {
    add(input) {
      const rule = parseFaultRule(input);
      sequence += 1;
      const id = `fault-${sequence}`;
      const now = deps.now();
      const state: FaultRuleState = { id, rule, addedAt: new Date(now).toISOString(), seen: 0, applied: 0 };
      if (rule.forMs !== undefined) state.expiresAt = new Date(now + rule.forMs).toISOString();
      rules.push(state);
      return id;
    },
    remove(id) {
      const before = rules.length;
      rules = rules.filter((state) => state.id !== id);
      return rules.length < before;
    },
    clear() {
      const count = rules.length;
      rules = [];
      return count;
    },
    list() {
      dropExpired();
      return rules.map((state) => structuredClone(state));
    },
    pick(target, phase) {
      dropExpired();
      for (const state of rules) {
        const { rule } = state;
        if (phaseOf(rule.action) !== phase || !matches(rule, target)) continue;
        state.seen += 1;
        if (state.seen <= (rule.skip ?? 0)) continue;
        if (rule.probability !== undefined && random() >= rule.probability) continue;
        state.applied += 1;
        appliedById.set(state.id, (appliedById.get(state.id) ?? 0) + 1);
        if (rule.times !== undefined && state.applied >= rule.times) {
          rules = rules.filter((s) => s !== state);
        }
        return { id: state.id, action: rule.action };
      }
      return undefined;
    },
    applied: () => Object.fromEntries(appliedById),
    reset() {
      rules = [];
      appliedById = new Map();
      random = deps.random();
    },
  };
}

function phaseOf(action: FaultAction): FaultPhase {
  return action.afterAccept === true ? 'after' : 'before';
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  const match = rule.match ?? {};
  const operation = match.operation ?? 'any';
  if (operation !== 'any' && operation !== target.operation) return false;
  if (match.sender !== undefined && match.sender !== target.sender) return false;
  return match.key === undefined || match.key === target.key;
}
