import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';

/** Where one ledger operation collects the `Date` header of the storage responses it caused. */
export interface SeenDate {
  date?: string;
}

export interface ResponseDates {
  /** Runs `fn`; every storage response it causes records its `Date` header in `seen` (the last one wins). */
  within<T>(seen: SeenDate, fn: () => Promise<T>): Promise<T>;
}

type PipelinePolicy = Parameters<TableClient['pipeline']['addPolicy']>[0];

/**
 * Leases are judged by the storage server's clock, so every ledger result carries the `Date` of
 * the response. The SDK shows headers through `onResponse` on single-entity calls but not on
 * `submitTransaction`, whose options never reach the pipeline callback; a policy sees every raw
 * response, including the batch's and error responses. AsyncLocalStorage ties each response to
 * the operation that caused it when operations run concurrently on one client.
 */
export function attachResponseDates(client: TableClient): ResponseDates {
  const store = new AsyncLocalStorage<SeenDate>();
  const policy: PipelinePolicy = {
    // Unique: the pipeline refuses duplicate names, and two ledgers may share a client.
    name: `hrCourierResponseDate-${randomUUID()}`,
    async sendRequest(request, next) {
      const response = await next(request);
      const seen = store.getStore();
      const date = response.headers.get('date');
      if (seen !== undefined && date !== undefined) seen.date = date;
      return response;
    },
  };
  // After the retry policy: each try's response passes by, so the last answer is the one kept.
  client.pipeline.addPolicy(policy, { afterPhase: 'Retry' });
  return { within: (seen, fn) => store.run(seen, fn) };
}
