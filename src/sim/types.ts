import type { Clock, Ids } from '../ports/clock.js';
import type { FaultRule, FaultRuleState } from './fault-types.js';

/**
 * The Graph simulator's public surface (docs/architecture.md §8). The simulator is a dev and test tool
 * shipped with hr-courier: the real Graph client and the real @azure/identity credential talk to it
 * unchanged, over HTTPS with a certificate generated for it.
 *
 * Types only, importing only other types files: every implementation may import this one.
 */

export interface SimulatorOptions {
  /** Port for the HTTPS Graph endpoint (0 = any free port). */
  port?: number;
  /** Port for the plain-HTTP managed-identity endpoint, like App Service's (0 = any free port). */
  identityPort?: number;
  /** Folder for the generated certificate (reused when present) — `cert.pem`, `key.pem`. */
  certDir: string;
  /** Folder where every accepted mail is written as `.eml` and `.html`. */
  outboxDir: string;
  /** Mailboxes that exist (lower-case UPNs). Anything else: 404 ErrorInvalidUser. */
  mailboxes: string[];
  /**
   * The Exchange fence: mailboxes the app may send as. A mailbox that exists but is not here:
   * 403 ErrorAccessDenied "Access to OData is disabled.". Default: all mailboxes.
   */
  allowedSenders?: string[];
  /** The secret the MI endpoint expects in `X-IDENTITY-HEADER`. Default: a random one. */
  identityHeader?: string;
  /**
   * Milliseconds after acceptance before a mail shows up in `/users/{id}/messages` look-ups (as a
   * draft on its way out). Default 0.
   */
  transportDelayMs?: number;
  /**
   * Further milliseconds before transport has moved it to Sent Items, where
   * `/mailFolders/sentitems/messages` finds it. Default 0.
   */
  sentItemsDelayMs?: number;
  /**
   * Added latency per Graph request (sendMail, look-ups) that got past the limits, ms. Applied after
   * the operation ran: a sendMail is accepted, then answered slowly. Default 0.
   */
  latencyMs?: number;
  /** Up to this many more ms per request, drawn from the seeded generator. Default 0. */
  latencyJitterMs?: number;
  /**
   * Graph requests served at once across all mailboxes (Graph: 4, "irrespective of the target
   * mailboxes"); one more is answered 429 ApplicationThrottled. Default 4; 0 = no limit.
   */
  maxConcurrentPerApp?: number;
  /** Graph requests served at once for one mailbox. Default 4; 0 = no limit. */
  maxConcurrentPerMailbox?: number;
  /** The Retry-After of the concurrency 429s, seconds. Default 1. */
  throttleRetryAfterSec?: number;
  /**
   * Exchange's message rate per mailbox per `rateWindowMs`. Mail above it is still accepted (202):
   * Exchange queues and delays it. It is counted as over-rate. Default 30; 0 = not counted.
   */
  mailboxPerMinute?: number;
  /** The rate window, ms; scale it down to test in less than a minute. Default 60 000. */
  rateWindowMs?: number;
  /**
   * Exchange's recipients (to + cc + bcc) per mailbox per rolling `recipientWindowMs`. Mail that
   * takes a mailbox over it is still accepted and counted as over-budget (Exchange would NDR it
   * later). Default 10 000; 0 = not counted.
   */
  recipientsPerDay?: number;
  /** The rolling recipient window, ms. Default 24 h. */
  recipientWindowMs?: number;
  /** Seed of the generator behind fault probabilities and latency jitter: same seed, same run. */
  seed?: number;
  /** Lifetime of the access tokens the MI endpoint issues, seconds. Default 86400 (like Entra's MI tokens). */
  tokenLifetimeSec?: number;
  /** Recipients (to + cc + bcc) allowed on one message; Exchange's default is 500 (tenants can set 1–1000). */
  maxRecipients?: number;
  /**
   * Time source for `Date` headers, token lifetimes and transport delays: the caller's, so that a
   * process has one system clock and a test can hold time still.
   */
  clock: Clock;
  /** Request ids and message ids. */
  ids: Ids;
}

/** The flow-control settings of a simulator, defaults applied (see SimulatorOptions for each). */
export interface SimulatorLimits {
  maxConcurrentPerApp: number;
  maxConcurrentPerMailbox: number;
  throttleRetryAfterSec: number;
  mailboxPerMinute: number;
  rateWindowMs: number;
  recipientsPerDay: number;
  recipientWindowMs: number;
  latencyMs: number;
  latencyJitterMs: number;
  seed: number;
}

export interface SimulatorStats {
  /** Accepted sendMail requests: the mail went, whatever was answered (after-accept faults included). */
  accepted: number;
  /** sendMail answers other than 202, by status — after-accept faults too: that is what the client saw. */
  rejectedByStatus: Record<string, number>;
  /** Accepted sends per HrCourierKey value: proof of "no duplicate". */
  sendsByKey: Record<string, number>;
  /** Token requests served by the managed-identity endpoint. */
  tokensIssued: number;
  /** The most Graph requests (sendMail and look-ups) that were being processed at the same time. */
  maxInFlight: number;
  /** Extended-property look-ups served (`GET …/messages`). */
  lookups: number;
  /** Graph requests being processed now. */
  inFlight: number;
  /** Per mailbox: the most requests open at once (admitted or refused with 429). */
  maxInFlightByMailbox: Record<string, number>;
  /** Accepted sendMail requests per mailbox. */
  acceptedByMailbox: Record<string, number>;
  /** Accepted mail above the mailbox's message rate (Exchange would delay it). */
  overRateByMailbox: Record<string, number>;
  /** Accepted mail that took the mailbox over its recipient budget (Exchange would NDR it). */
  overBudgetByMailbox: Record<string, number>;
  /** 429s sent, by the scope of the pause each announced. */
  throttled: { total: number; app: number; mailbox: number };
  /** Graph requests that arrived inside a pause announced for their app or mailbox. */
  callsDuringPause: { total: number; byMailbox: Record<string, number> };
  /** Times each fault rule was applied, by rule id (retired rules included). */
  faultsApplied: Record<string, number>;
  /** Requests answered with a dropped connection (reset faults). */
  resets: number;
}

export interface AcceptedMail {
  key?: string;
  sender: string;
  clientRequestId?: string;
  requestId: string;
  /** Path of the .eml file in the outbox. */
  emlPath: string;
  /** Path of the rendered .html file in the outbox. */
  htmlPath: string;
  acceptedAt: string;
  /** to + cc + bcc. */
  recipientCount: number;
  saveToSentItems: boolean;
  /** Above the mailbox's message rate when accepted: Exchange would deliver it late. */
  overRate?: boolean;
  /** Over the mailbox's rolling recipient budget: Exchange would NDR it. */
  overBudget?: boolean;
}

/** Fault injection in-process; the same rules as `POST /_sim/faults`. */
export interface SimulatorFaults {
  /** Validates and adds a rule (throws FaultRuleError, naming the field); returns its id. */
  add(rule: FaultRule): string;
  /** Removes one rule; false when there was none with this id. */
  remove(id: string): boolean;
  /** Removes every rule; returns how many there were. */
  clear(): number;
  /** The active rules, in evaluation order, with how often each matched and applied. */
  list(): FaultRuleState[];
}

export interface SimulatorHandle {
  /** e.g. `https://127.0.0.1:52811` — what GRAPH_BASE_URL is set to (no path). */
  baseUrl: string;
  /** e.g. `http://127.0.0.1:52812/msi/token` — what IDENTITY_ENDPOINT is set to. */
  identityEndpoint: string;
  identityHeader: string;
  /** PEM file of the certificate to trust (NODE_EXTRA_CA_CERTS). */
  caCertPath: string;
  outboxDir: string;
  /** The flow-control settings in force, defaults applied. */
  limits: SimulatorLimits;
  stats(): SimulatorStats;
  accepted(): AcceptedMail[];
  /**
   * Forgets accepted mail, counters, the mailboxes' messages, pauses, sending windows and fault rules,
   * and restarts the seeded generator (the outbox files stay). Tokens stay valid.
   */
  reset(): void;
  faults: SimulatorFaults;
  /** Invalidates every token issued so far (Graph then answers 401); returns how many. */
  revokeTokens(): number;
  /** The environment a worker process needs to talk to this simulator. */
  env(): Record<string, string>;
  close(): Promise<void>;
}
