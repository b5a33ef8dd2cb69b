/**
 * Shared state of the flow gate across instances (docs/architecture.md §5.4): small rows in one place, read
 * together and written together atomically, guarded by ETags. Leased slot rows and per-token rows
 * rather than one hot counter: a claim touches only the rows it takes, and a crashed holder's slot
 * frees itself when its lease runs out.
 */

/** One row's numeric state; which fields mean what is the gate's business. */
export interface GateValues {
  /** Epoch ms (server clock): a lease or pause end, a token's last use. */
  until?: number;
  /** Who holds a slot (a permit id), for diagnostics. */
  holder?: string;
  /** A counter (recipients in an hour bucket). */
  count?: number;
  /** A bucket's absolute index (hour number), so a reused bucket row can be recognised as stale. */
  bucket?: number;
}

export interface GateRow extends GateValues {
  id: string;
  etag: string;
}

export interface GateView {
  /** Rows whose id starts with one of the prefixes asked for. Missing rows have never been written. */
  rows: Map<string, GateRow>;
  /** The storage server's clock at the read (epoch ms). */
  serverTime: number;
}

/** Write `values` to row `id`: if `etag` is given, only if the row is unchanged; if null, only if it does not exist. */
export interface GateWrite {
  id: string;
  etag: string | null;
  values: GateValues;
}

export type GateCommit = { ok: true; etags: Map<string, string>; serverTime: number } | { ok: false };

export interface GateStore {
  read(prefixes: string[]): Promise<GateView>;
  /** All or nothing: `{ ok: false }` when any row changed (or appeared) since it was read. */
  write(writes: GateWrite[]): Promise<GateCommit>;
}
