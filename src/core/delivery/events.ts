import type { MailRecord } from '../../ports/ledger.js';
import type { TelemetryEventName, TelemetryProperties } from '../../ports/telemetry.js';
import type { FailureReason } from '../../domain/failure.js';
import type { Invocation } from './invocation.js';
import type { DeliveryOutcome, DeliveryReport } from './types.js';

/** Telemetry and log dimensions for a message: ids, counts, sender, intent, template; never content. */
function dimensions(inv: Invocation, row: MailRecord | undefined, extra: TelemetryProperties) {
  const { message, input } = inv.mail;
  const last = inv.attempts.at(-1);
  return {
    key: inv.mail.key,
    businessId: message.businessId,
    intent: message.intent,
    template: message.template,
    templateVersion: row?.templateVersion ?? message.templateVersion,
    sender: inv.mail.sender,
    recipientCount: row?.recipientCount,
    recipientDomains: row?.recipientDomains.join(','),
    state: row?.state,
    attempts: row?.attempts,
    deliveries: row?.deliveries,
    dequeueCount: input.dequeueCount,
    queueMessageId: input.id,
    correlationId: message.correlationId,
    clientRequestId: last?.clientRequestId,
    requestId: last?.requestId,
    graphDate: last?.date,
    status: last?.status,
    ...extra,
  } satisfies TelemetryProperties;
}

export function emit(
  inv: Invocation,
  name: TelemetryEventName,
  row: MailRecord | undefined,
  extra: TelemetryProperties = {},
): void {
  const props = dimensions(inv, row, extra);
  inv.deps.telemetry.event(name, props);
  inv.deps.log.info(name, props);
}

export function failureDimensions(reason: FailureReason): TelemetryProperties {
  return {
    code: reason.code,
    graphCode: reason.graphCode,
    status: reason.status,
    fieldPaths: reason.fieldPaths?.join(','),
  };
}

export function report(
  inv: Invocation,
  row: MailRecord,
  outcome: DeliveryOutcome,
  code?: string,
  delaySec?: number,
): DeliveryReport {
  const last = inv.attempts.at(-1);
  const r: DeliveryReport = {
    outcome,
    state: row.state,
    businessId: row.businessId,
    key: row.key,
    sender: inv.mail.sender,
    template: inv.mail.message.template,
    intent: inv.mail.message.intent,
    attempts: row.attempts,
  };
  if (code !== undefined) r.code = code;
  const clientRequestId = last?.clientRequestId ?? row.lastClientRequestId;
  const requestId = last?.requestId ?? row.lastRequestId;
  if (clientRequestId !== undefined) r.clientRequestId = clientRequestId;
  if (requestId !== undefined) r.requestId = requestId;
  if (last?.date !== undefined) r.graphDate = last.date;
  if (delaySec !== undefined) r.delaySec = delaySec;
  return r;
}
