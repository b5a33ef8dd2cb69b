import type { Clock, Ids } from '../ports/clock.js';

/**
 * The Graph simulator's public surface (ARCHITECTURE §7). The simulator is a dev and test tool
 * shipped with hr-courier: the real Graph client and the real @azure/identity credential talk to it
 * unchanged, over HTTPS with a certificate generated for it.
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
  /** Added latency per Graph request, ms. */
  latencyMs?: number;
  /** Lifetime of the access tokens the MI endpoint issues, seconds. Default 86400 (like Entra's MI tokens). */
  tokenLifetimeSec?: number;
  /** Recipients (to + cc + bcc) allowed on one message; Exchange's default is 500 (tenants can set 1–1000). */
  maxRecipients?: number;
  /** Time source for `Date` headers, token lifetimes and transport delays. Default: the system clock. */
  clock?: Clock;
  /** Request ids and message ids. Default: crypto.randomUUID. */
  ids?: Ids;
}

export interface SimulatorStats {
  /** Accepted sendMail requests (202). */
  accepted: number;
  /** Rejected sendMail requests by status. */
  rejectedByStatus: Record<string, number>;
  /** Accepted sends per HrCourierKey value: proof of "no duplicate". */
  sendsByKey: Record<string, number>;
  /** Token requests served by the managed-identity endpoint. */
  tokensIssued: number;
  /** The most Graph requests (sendMail and look-ups) that were being processed at the same time. */
  maxInFlight: number;
  /** Extended-property look-ups served (`GET …/messages`). */
  lookups: number;
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
  stats(): SimulatorStats;
  accepted(): AcceptedMail[];
  /** Forgets accepted mail, counters and the mailboxes' messages (the outbox files stay). Tokens stay valid. */
  reset(): void;
  /** Invalidates every token issued so far (Graph then answers 401); returns how many. */
  revokeTokens(): number;
  /** The environment a worker process needs to talk to this simulator. */
  env(): Record<string, string>;
  close(): Promise<void>;
}
