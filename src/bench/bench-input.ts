/** One queue message of a benchmark run, with what the runner needs to check its outcome. */
export interface BenchMessage {
  key: string;
  businessId: string;
  sender: string;
  /** The queue message: contract v1 JSON text. */
  text: string;
}

export interface BenchInputOptions {
  /** How many messages. */
  count: number;
  /** Sender mailboxes, used round-robin. */
  mailboxes: readonly string[];
  /** Contract v1 messages (the shipped samples) to vary: templates and their data, cycled. */
  samples: readonly string[];
  /** Keeps keys and businessIds of different scenarios apart. */
  prefix: string;
}

/** `hr-01@contoso.com` … : the sender mailboxes of a run. */
export function benchMailboxes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `hr-${String(i + 1).padStart(2, '0')}@contoso.com`);
}

/**
 * The input of a scenario: the shipped samples (every template, with its real data) cycled, each copy
 * with its own key, businessId, sender and a single made-up recipient. Deterministic, so both runs of a
 * scenario — hr-courier's and the naive worker's — get exactly the same messages.
 */
export function benchMessages(options: BenchInputOptions): BenchMessage[] {
  const { count, mailboxes, samples, prefix } = options;
  if (samples.length === 0 || mailboxes.length === 0) throw new RangeError('need samples and mailboxes');
  const parsed = samples.map((text) => JSON.parse(text) as Record<string, unknown>);
  return Array.from({ length: count }, (_, i) => {
    const base = parsed[i % parsed.length] ?? {};
    const n = String(i).padStart(6, '0');
    const key = `${prefix}-${n}`;
    const businessId = `BENCH-${prefix.toUpperCase()}-${n}`;
    const sender = mailboxes[i % mailboxes.length] ?? '';
    const message: Record<string, unknown> = {
      ...base,
      idempotencyKey: key,
      businessId,
      sender,
      to: [{ address: `person-${n}@example.org`, name: `Person ${n}` }],
    };
    // Inline attachments only: the naive worker has no blob reader, and the copies stay comparable.
    if (Array.isArray(message.attachments)) {
      message.attachments = (message.attachments as { blob?: unknown }[]).filter((a) => a.blob === undefined);
    }
    return { key, businessId, sender, text: JSON.stringify(message) };
  });
}
