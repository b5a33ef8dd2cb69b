import { readSamples } from '../../../src/cli/samples.js';

/** A queue message built from a shipped sample, with its own businessId and idempotency key. */
export interface GuaranteeMessage {
  text: string;
  key: string;
  businessId: string;
  template: string;
  sender: string;
}

interface SampleShape {
  idempotencyKey: string;
  businessId: string;
  template: string;
  sender: string;
}

/**
 * `count` realistic messages (the four shipped samples in turn, so all four templates and senders
 * take part), each with a businessId and key of its own, tagged so two tests never share a key.
 */
export async function sampleMessages(tag: string, count: number): Promise<GuaranteeMessage[]> {
  if (!/^[a-z0-9]{1,24}$/.test(tag)) throw new Error('tag must be 1-24 of a-z 0-9');
  const samples = (await readSamples()).map((s) => JSON.parse(s.text) as SampleShape);
  return Array.from({ length: count }, (_, i) => {
    const sample = samples[i % samples.length];
    if (!sample) throw new Error('no samples shipped');
    const businessId = `${sample.businessId}-${tag}-${i}`;
    const key = `${sample.idempotencyKey}.${tag}.${i}`;
    return {
      text: JSON.stringify({ ...sample, businessId, idempotencyKey: key }),
      key,
      businessId,
      template: sample.template,
      sender: sample.sender,
    };
  });
}

/** The same message sent as another mailbox (so that mailbox's counts in the simulator are its alone). */
export function fromSender(m: GuaranteeMessage, sender: string): GuaranteeMessage {
  const parsed = JSON.parse(m.text) as Record<string, unknown>;
  return { ...m, sender, text: JSON.stringify({ ...parsed, sender }) };
}

/** `perMailbox` sample messages for each of `senders`, interleaved (a backlog over a few mailboxes). */
export async function backlog(
  tag: string,
  senders: readonly string[],
  perMailbox: number,
): Promise<GuaranteeMessage[]> {
  const messages = await sampleMessages(tag, senders.length * perMailbox);
  return messages.map((m, i) => fromSender(m, senders[i % senders.length] ?? m.sender));
}
