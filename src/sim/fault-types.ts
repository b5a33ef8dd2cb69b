// The fault rules' types, and nothing else: every module of the simulator may import them without
// forming a cycle. src/sim/fault-rule.ts checks input against them.

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

/** A rule as the simulator holds it, with how often it has matched and been applied. */
export interface FaultRuleState {
  id: string;
  rule: FaultRule;
  /** ISO time it was added (simulator clock). */
  addedAt: string;
  /** ISO time a `forMs` rule stops applying. */
  expiresAt?: string;
  /** Matching requests seen so far (skipped ones included). */
  seen: number;
  applied: number;
}
