/**
 * The flow gate (docs/architecture.md §5.4): pauses, app-wide and per-mailbox concurrency, per-mailbox
 * rate and recipient budget. Granted permits must be released after the Graph call.
 */
export type GateDecision =
  { kind: 'granted'; release: () => Promise<void> } | { kind: 'defer'; delayMs: number; reason: string };

/** What a Graph call's answer means for the breakers. */
export type GateOutcome = 'sent' | 'policy-denied' | 'auth-failed' | 'other';

export interface FlowGate {
  acquire(request: { sender: string; recipients: number; signal?: AbortSignal }): Promise<GateDecision>;
  /**
   * A 429 answer: pause the scope (mailbox or app) until `untilMs` (epoch ms, server clock); the
   * longest pause wins. `started` is true when this call began a pause (none was in force), so exactly one
   * `Graph.Throttled` event is emitted per pause, not one per message.
   */
  pause(request: {
    sender: string;
    scope: 'mailbox' | 'app';
    untilMs: number;
    cause: string;
  }): Promise<{ started: boolean }>;
  /**
   * The answer of a call made under a permit, for the breakers: `auth-failed` opens the app-wide auth
   * breaker (work is held, not burned, until a probe gets through); `policy-denied` opens that
   * mailbox's breaker (Exchange RBAC changes take 30 min – 2 h; one message is let through every few
   * minutes as a probe); `sent` closes both. `tripped` / `recovered` say when to alert, once.
   */
  record(request: {
    sender: string;
    outcome: GateOutcome;
  }): Promise<{ tripped: boolean; recovered: boolean }>;
}
