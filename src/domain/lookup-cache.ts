/** Milliseconds from a monotonic source; injectable so tests can move time. */
export type Now = () => number;

export interface LookupCacheOptions {
  /** How long a looked-up value is served from memory; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; the oldest are dropped first. */
  maxEntries: number;
  /** Defaults to performance.now (monotonic: a wall-clock jump cannot stretch the TTL). */
  now?: Now;
}

interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
}

/**
 * A short-lived, bounded, in-process cache of lookups by key. Concurrent misses for one key share
 * a single lookup (a burst of calls with a new key costs one database round trip, not hundreds).
 * A failed lookup is not kept, so a database outage is not remembered past its end.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: Now;

  constructor(private readonly options: LookupCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.options.ttlMs <= 0) return load();
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > t) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    const entry: Entry<V> = { value, expiresAt: t + this.options.ttlMs };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.evictOverflow();
    return value;
  }

  /** Forgets one key, e.g. when this process revokes it. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key whose settled value matches; used when only the value identifies an entry. */
  async deleteWhere(matches: (value: V) => boolean): Promise<void> {
    for (const [key, entry] of [...this.entries]) {
      const value = await entry.value.catch(() => undefined);
      if (value !== undefined && matches(value) && this.entries.get(key) === entry) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOverflow(): void {
    // Map iteration follows insertion order, so the first keys are the oldest entries.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.options.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
