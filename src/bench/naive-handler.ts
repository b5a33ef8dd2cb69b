import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import { decodeMessage } from '../core/decode.js';
import { buildGraphMessage, type LoadedAttachment } from '../core/graph-message.js';
import { keyOf } from '../core/idempotency.js';
import type { TemplateCatalog } from '../ports/templates.js';
import type { QueueHandler } from '../worker/worker-types.js';

export interface NaiveHandlerDeps {
  templates: TemplateCatalog;
  /** A Graph client with the SDK's default middleware chain (RetryHandler included). */
  graph: Client;
}

/**
 * The queue handler of a typical sample, for comparison: parse, render, POST sendMail, and let any
 * error fail the invocation so the host retries the message. It does the same per-mail work as
 * hr-courier's handler (the same decoder, catalog and sendMail body, HrCourierKey included, so sends
 * can be counted per key) and nothing else: no ledger, no idempotency check, no flow gate.
 */
export function createNaiveHandler(deps: NaiveHandlerDeps): QueueHandler {
  return async (message) => {
    const decoded = decodeMessage(message.text);
    if (!decoded.ok) throw new Error(`invalid message: ${decoded.reason.code}`);
    const m = decoded.message;
    const rendered = deps.templates.render({
      template: m.template,
      ...(m.templateVersion === undefined ? {} : { version: m.templateVersion }),
      data: m.data,
    });
    const attachments = m.attachments.map((a): LoadedAttachment => {
      // Claim-check blobs need a storage read a sample would do its own way; the bench input has none.
      if (a.contentBytes === undefined) throw new Error('blob attachments are not supported here');
      return { name: a.name, contentType: a.contentType, contentBytes: a.contentBytes };
    });
    const body = buildGraphMessage(m, rendered, attachments, keyOf(m).key);
    try {
      await deps.graph.api(`/users/${encodeURIComponent(m.sender)}/sendMail`).post(body);
    } catch (e) {
      // The SDK parses a 202 labelled JSON and fails on its empty body (msgraph-sdk-javascript#156);
      // the simulator answers that way on purpose. A sample that shipped would treat it as sent.
      if (e instanceof GraphError && e.statusCode === 202) return;
      throw e;
    }
  };
}
