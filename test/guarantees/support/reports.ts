import type { DeliveryOutcome } from '../../../src/core/delivery/types.js';
import type { FleetReport } from '../../support/worker-fleet.js';

/** Outcomes that end a key's story (a `duplicate` only repeats one of these; `deferred` comes round again). */
export const SETTLING: ReadonlySet<DeliveryOutcome> = new Set(['sent', 'unknown', 'failed', 'expired']);

/** Keys some worker has reported settled. */
export function settledKeys(reports: readonly FleetReport[]): Set<string> {
  return new Set(reports.filter((r) => SETTLING.has(r.outcome)).map((r) => r.key));
}

/** The reports for one key, in arrival order. */
export function reportsFor(reports: readonly FleetReport[], key: string): FleetReport[] {
  return reports.filter((r) => r.key === key);
}
