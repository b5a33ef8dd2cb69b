/**
 * The flow gate (ARCHITECTURE §1 step 7): pauses, app-wide and per-mailbox concurrency, per-mailbox
 * rate and recipient budget. Granted permits must be released after the Graph call.
 */
export type GateDecision =
  { kind: 'granted'; release: () => Promise<void> } | { kind: 'defer'; delayMs: number; reason: string };

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
}
