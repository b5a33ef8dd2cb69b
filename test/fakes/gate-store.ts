import type { Clock } from '../../src/ports/clock.js';
import type { GateCommit, GateRow, GateStore, GateView, GateWrite } from '../../src/ports/gate-store.js';

/** An in-memory GateStore with the Table adapter's semantics: ETag-guarded, all-or-nothing writes. */
export function createMemoryGateStore(options: { clock: Clock }): GateStore & {
  rows(): GateRow[];
  /** Counts of calls, as the benchmark counts storage round trips. */
  calls: { read: number; write: number };
} {
  const rows = new Map<string, GateRow>();
  let version = 0;
  const calls = { read: 0, write: 0 };
  return {
    calls,
    rows: () => [...rows.values()].map((r) => ({ ...r })),
    read(prefixes): Promise<GateView> {
      calls.read++;
      const view = new Map<string, GateRow>();
      for (const [id, row] of rows) if (prefixes.some((p) => id.startsWith(p))) view.set(id, { ...row });
      return Promise.resolve({ rows: view, serverTime: options.clock.now() });
    },
    write(writes: GateWrite[]): Promise<GateCommit> {
      calls.write++;
      for (const w of writes) {
        const current = rows.get(w.id);
        if (w.etag === null ? current !== undefined : current?.etag !== w.etag)
          return Promise.resolve({ ok: false });
      }
      const etags = new Map<string, string>();
      for (const w of writes) {
        const etag = `v${++version}`;
        rows.set(w.id, { ...w.values, id: w.id, etag }); // replace, as the Table adapter does
        etags.set(w.id, etag);
      }
      return Promise.resolve({ ok: true, etags, serverTime: options.clock.now() });
    },
  };
}
