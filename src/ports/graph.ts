/**
 * The Graph mail port. The adapter speaks to Microsoft Graph (or the simulator) with the real
 * Graph client and a managed-identity credential; the core only sees these shapes.
 */

export interface GraphRecipient {
  emailAddress: { address: string; name?: string };
}

export interface GraphFileAttachment {
  '@odata.type': '#microsoft.graph.fileAttachment';
  name: string;
  contentType: string;
  contentBytes: string;
}

/** The `message` object of a sendMail request, as Graph documents it. */
export interface GraphMessage {
  subject: string;
  body: { contentType: 'HTML' | 'Text'; content: string };
  toRecipients: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  replyTo?: GraphRecipient[];
  importance?: 'low' | 'normal' | 'high';
  attachments?: GraphFileAttachment[];
  internetMessageHeaders?: { name: string; value: string }[];
  singleValueExtendedProperties?: { id: string; value: string }[];
}

export interface SendMailRequest {
  /** The sender mailbox (UPN or id): `/users/{sender}/sendMail`. */
  sender: string;
  message: GraphMessage;
  saveToSentItems: boolean;
  /** A fresh GUID for this attempt, sent as `client-request-id`. */
  clientRequestId: string;
  /** The POST is aborted after this many ms (then the outcome is unknown). */
  timeoutMs: number;
}

/** What came back from one Graph request: either an HTTP response or a network failure. */
export type GraphAnswer =
  | {
      kind: 'response';
      status: number;
      /** `error.code` from Graph's error body, when there is one. */
      code?: string;
      /** `error.innerError.code` or similar nested code, when present. */
      innerCode?: string;
      clientRequestId: string;
      requestId?: string;
      /** The response `Date` header, as sent. */
      date?: string;
      diagnostic?: string;
      /** The `Retry-After` header, as sent (seconds or HTTP-date). */
      retryAfter?: string;
      /**
       * On 429 only: the limit named by Graph, e.g. `MailboxConcurrency` from "Application is over its
       * MailboxConcurrency limit.". Graph's code (`ApplicationThrottled`) is the same for every limit, so
       * this one word is extracted by the adapter (never the rest of the message). Used only to narrow a
       * pause to one mailbox; if Graph rewords it, the pause safely widens to the whole app.
       */
      throttleReason?: string;
      durationMs: number;
      /** On 401 only: whether the credential now returns a different token than the one sent. */
      tokenChanged?: boolean;
    }
  | {
      kind: 'network';
      /**
       * `before-send`: the request provably never reached Graph (DNS, refused, TLS, token acquisition).
       * `after-send`: it may have (timeout, reset after the body was written).
       */
      phase: 'before-send' | 'after-send';
      /** A short error code such as ECONNREFUSED, ETIMEDOUT, AbortError, TokenAcquisition. */
      errorCode: string;
      clientRequestId: string;
      durationMs: number;
    };

export interface GraphMailer {
  sendMail(request: SendMailRequest): Promise<GraphAnswer>;
  /**
   * Looks for a message carrying the HrCourierKey extended property in all of the sender's folders
   * (`/users/{sender}/messages?$filter=singleValueExtendedProperties/Any(...)`).
   */
  findByKey(
    sender: string,
    key: string,
    clientRequestId: string,
  ): Promise<{ found: boolean; answer: GraphAnswer }>;
}

/** The id of the single-value extended property that carries our idempotency key on every message. */
export const HR_COURIER_KEY_PROPERTY_ID = 'String {8a3f2c71-5e0b-4c4e-9d2a-6b1f0e7c9a54} Name HrCourierKey';
