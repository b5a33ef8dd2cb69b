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
  /** Milliseconds before an accepted mail shows up in `/users/{id}/messages` look-ups. */
  transportDelayMs?: number;
  /** Added latency per Graph request, ms. */
  latencyMs?: number;
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
  maxInFlight: number;
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
  /** The environment a worker process needs to talk to this simulator. */
  env(): Record<string, string>;
  close(): Promise<void>;
}
