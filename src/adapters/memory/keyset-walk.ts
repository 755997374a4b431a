import type { OrderedKeys } from "./ordered-keys.js";

/** Greater than every key here: the highest UTF-16 code unit, which sort keys never contain (memberSortName strips it). */
const TOP = "\uffff";

export interface KeysetWalkOptions {
  order: "asc" | "desc";
  /** Continue after this key (exclusive), in the walk's direction; undefined starts at the edge. */
  start?: string | undefined;
  /** True for the first key past the walk's end (a range bound); the walk stops there. */
  stop?: ((key: string) => boolean) | undefined;
  /** How many accepted keys to return at most. */
  limit: number;
  /** Keys that fail it are skipped (a residual filter). */
  accept?: ((key: string) => boolean) | undefined;
}

/**
 * Walks one or more sorted key lists (an index per filter value) as one, in either direction,
 * from a keyset position: each step takes a chunk of every list, merges what is certainly in
 * order (up to the earliest last key of the lists that may hold more) and moves on. Without a
 * residual filter a page costs O(lists × (log n + page)), whatever the number of keys; a
 * residual filter skips the keys it refuses, which is the only way a walk reads more than a page.
 */
export function walkKeys(sources: readonly OrderedKeys[], options: KeysetWalkOptions): string[] {
  const asc = options.order === "asc";
  const chunk = Math.max(64, options.limit);
  const out: string[] = [];
  let cursor = options.start;
  for (;;) {
    const lists = sources.map((s) => (asc ? s.after(cursor, chunk) : s.before(cursor ?? TOP, chunk).reverse()));
    // Beyond the last key of a full chunk that list may hold more keys: merge only up to the
    // nearest such frontier, so no key of any list is passed over.
    let frontier: string | undefined;
    for (const list of lists) {
      if (list.length < chunk) continue;
      const last = list[list.length - 1]!;
      if (frontier === undefined || (asc ? last < frontier : last > frontier)) frontier = last;
    }
    const merged = [...new Set(lists.flat())]
      .filter((k) => frontier === undefined || (asc ? k <= frontier : k >= frontier))
      .sort((a, b) => (a < b ? (asc ? -1 : 1) : a > b ? (asc ? 1 : -1) : 0));
    for (const key of merged) {
      if (options.stop?.(key)) return out;
      if (options.accept && !options.accept(key)) continue;
      out.push(key);
      if (out.length >= options.limit) return out;
    }
    if (frontier === undefined) return out;
    cursor = frontier;
  }
}
