export interface SendingLimitsOptions {
  /** Messages per mailbox per rate window before Exchange queues and delays them; 0 = no limit. */
  messagesPerWindow: number;
  rateWindowMs: number;
  /** Recipients (to + cc + bcc) per mailbox per rolling recipient window; 0 = no limit. */
  recipientsPerWindow: number;
  recipientWindowMs: number;
}

/** How Exchange would treat one accepted message. */
export interface SendingVerdict {
  /** Above the mailbox's message rate: Exchange queues it and delivers it late. */
  overRate: boolean;
  /** Takes the mailbox over its rolling recipient budget: Exchange would NDR it (550 5.1.90). */
  overBudget: boolean;
}

export interface SendingLimits {
  /** Records one accepted message of `mailbox` with `recipients` at `now`. */
  admit(mailbox: string, recipients: number, now: number): SendingVerdict;
  acceptedByMailbox(): Record<string, number>;
  overRateByMailbox(): Record<string, number>;
  overBudgetByMailbox(): Record<string, number>;
  reset(): void;
}

interface Sent {
  at: number;
  recipients: number;
}

/**
 * Exchange Online's sending limits as Exchange applies them: after Graph's 202, not before. A
 * mailbox above its message rate still has its mail accepted — Exchange queues and delays it — and
 * mail over the rolling recipient budget is accepted too (Exchange NDRs it later; what Graph answers
 * synchronously is not documented). Both are only counted, so tests and benchmarks can see a client
 * that provokes them. Windows slide: every accepted message counts toward the rate; only mail that
 * would actually go out (within budget) spends the recipient budget.
 */
export function createSendingLimits(options: SendingLimitsOptions): SendingLimits {
  let sentBy = new Map<string, { messages: number[]; budget: Sent[] }>();
  let accepted = new Map<string, number>();
  let overRate = new Map<string, number>();
  let overBudget = new Map<string, number>();
  const count = (map: Map<string, number>, mailbox: string) => map.set(mailbox, (map.get(mailbox) ?? 0) + 1);

  return {
    admit(mailbox, recipients, now) {
      let sent = sentBy.get(mailbox);
      if (!sent) {
        sent = { messages: [], budget: [] };
        sentBy.set(mailbox, sent);
      }
      sent.messages = sent.messages.filter((at) => at > now - options.rateWindowMs);
      sent.budget = sent.budget.filter((s) => s.at > now - options.recipientWindowMs);
      const verdict: SendingVerdict = {
        overRate: options.messagesPerWindow > 0 && sent.messages.length >= options.messagesPerWindow,
        overBudget:
          options.recipientsPerWindow > 0 &&
          sent.budget.reduce((sum, s) => sum + s.recipients, 0) + recipients > options.recipientsPerWindow,
      };
      sent.messages.push(now);
      if (!verdict.overBudget) sent.budget.push({ at: now, recipients });
      count(accepted, mailbox);
      if (verdict.overRate) count(overRate, mailbox);
      if (verdict.overBudget) count(overBudget, mailbox);
      return verdict;
    },
    acceptedByMailbox: () => Object.fromEntries(accepted),
    overRateByMailbox: () => Object.fromEntries(overRate),
    overBudgetByMailbox: () => Object.fromEntries(overBudget),
    reset() {
      sentBy = new Map();
      accepted = new Map();
      overRate = new Map();
      overBudget = new Map();
    },
  };
}
