import type { MailState } from '../../../src/ports/ledger.js';
import type { TelemetryEventName } from '../../../src/ports/telemetry.js';
import { CONCURRENCY_MESSAGE } from '../../../src/sim/concurrency-limit.js';
import type { FaultAction } from '../../../src/sim/index.js';

/**
 * The README's "What happens to each Graph answer", as data: for each row, what the simulator
 * answers and what must follow — in the ledger, the simulator's counts, poison, held and telemetry.
 * Each row sends as a mailbox of its own, so the simulator's per-mailbox counts are that row's.
 */

export const mailbox = (row: string) => `answer-${row}@contoso.com`;
/** Exists, and our allow-list has it, but the Exchange fence (the simulator) refuses it. */
export const FENCED = 'outside-the-fence@contoso.com';
/** In our allow-list; no such mailbox in the tenant. */
export const UNKNOWN = 'no-such-mailbox@contoso.com';

export interface Row {
  id: string;
  title: string;
  /** The simulator's answer for this key (none: a plain 202, or the fence and mailbox checks). */
  fault?: { action: FaultAction; times?: number };
  sender?: string;
  state: Extract<MailState, 'sent' | 'failed' | 'unknown'>;
  /** The reason code in the ledger and telemetry, with Graph's status and error code. */
  code?: string;
  status?: number;
  graphCode?: string;
  /** Outcomes of the ledger's attempt rows, in order. */
  attempts: string[];
  /** sendMail requests the simulator saw for the key; accepted mails among them. */
  calls: number;
  accepted: number;
  /** The telemetry event that tells the story. */
  event: TelemetryEventName;
}

const afterAccept = (status: number, code: string): Row['fault'] => ({
  action: { kind: 'status', status, code, afterAccept: true },
});

export const ROWS: Row[] = [
  {
    id: '202',
    title: '202: sent, once',
    state: 'sent',
    attempts: ['sent'],
    calls: 1,
    accepted: 1,
    event: 'Mail.Sent',
  },
  {
    id: '202ra',
    title: '202 carrying Retry-After: sent, never retried, no pause',
    fault: {
      action: { kind: 'status', status: 202, code: '', retryAfter: '120', afterAccept: true },
      times: 1,
    },
    state: 'sent',
    attempts: ['sent'],
    calls: 1,
    accepted: 1,
    event: 'Mail.Sent',
  },
  {
    id: '400',
    title: '400 ErrorInvalidRecipients: permanent GraphBadRequest, original bytes in poison',
    fault: { action: { kind: 'status', status: 400, code: 'ErrorInvalidRecipients' } },
    state: 'failed',
    code: 'GraphBadRequest',
    status: 400,
    graphCode: 'ErrorInvalidRecipients',
    attempts: ['permanent'],
    calls: 1,
    accepted: 0,
    event: 'Mail.Failed',
  },
  {
    id: '403',
    title: '403 from the Exchange fence: permanent PolicyDenied, original bytes in poison',
    sender: FENCED,
    state: 'failed',
    code: 'PolicyDenied',
    status: 403,
    graphCode: 'ErrorAccessDenied',
    attempts: ['permanent'],
    calls: 1,
    accepted: 0,
    event: 'Mail.Failed',
  },
  {
    id: '404',
    title: '404 for a mailbox the tenant does not have: permanent SenderNotFound, original bytes in poison',
    sender: UNKNOWN,
    state: 'failed',
    code: 'SenderNotFound',
    status: 404,
    graphCode: 'ErrorInvalidUser',
    attempts: ['permanent'],
    calls: 1,
    accepted: 0,
    event: 'Mail.Failed',
  },
  {
    id: '413',
    title: '413: permanent TooLarge, original bytes in poison',
    fault: { action: { kind: 'status', status: 413, code: 'RequestEntityTooLarge' } },
    state: 'failed',
    code: 'TooLarge',
    status: 413,
    graphCode: 'RequestEntityTooLarge',
    attempts: ['permanent'],
    calls: 1,
    accepted: 0,
    event: 'Mail.Failed',
  },
  {
    id: '429',
    title: '429 with Retry-After: deferred, then sent once',
    fault: {
      action: {
        kind: 'status',
        status: 429,
        code: 'ApplicationThrottled',
        message: CONCURRENCY_MESSAGE,
        retryAfter: '4',
      },
      times: 1,
    },
    state: 'sent',
    attempts: ['throttled', 'sent'],
    calls: 2,
    accepted: 1,
    event: 'Graph.Throttled',
  },
  {
    id: '503',
    title: '503 twice, then 202: retried in process, sent once',
    fault: { action: { kind: 'status', status: 503, code: 'ServiceUnavailable' }, times: 2 },
    state: 'sent',
    attempts: ['transient', 'transient', 'sent'],
    calls: 3,
    accepted: 1,
    event: 'Mail.Sent',
  },
  ...(
    [
      [500, 'ErrorInternalServerError'],
      [502, 'BadGateway'],
      [504, 'UnknownError'],
    ] as const
  ).map(([status, graphCode]): Row => ({
    id: String(status),
    title: `${status} after Graph accepted the mail: unknown, held, sent once`,
    fault: afterAccept(status, graphCode),
    state: 'unknown',
    code: 'UnknownOutcome',
    status,
    graphCode,
    attempts: ['unknown'],
    calls: 1,
    accepted: 1,
    event: 'Mail.Unknown',
  })),
  {
    id: 'reset',
    title: 'connection reset after Graph accepted the mail: unknown, held, sent once',
    fault: { action: { kind: 'reset', afterAccept: true } },
    state: 'unknown',
    code: 'UnknownOutcome',
    attempts: ['unknown'],
    calls: 1,
    accepted: 1,
    event: 'Mail.Unknown',
  },
];

export const senderOf = (row: Row) => row.sender ?? mailbox(row.id);
