/**
 * The flow gate (ARCHITECTURE §1 step 7): pauses, app-wide and per-mailbox concurrency, per-mailbox
 * rate and recipient budget. Granted permits must be released after the Graph call.
 */
export type GateDecision =
  { kind: 'granted'; release: () => Promise<void> } | { kind: 'defer'; delayMs: number; reason: string };

export interface FlowGate {
  acquire(request: { sender: string; recipients: number; signal?: AbortSignal }): Promise<GateDecision>;
  /** A 429 answer: pause the scope (mailbox or app) until `untilMs` (epoch ms, server clock). */
  pause(request: { sender: string; scope: 'mailbox' | 'app'; untilMs: number; cause: string }): Promise<void>;
}
