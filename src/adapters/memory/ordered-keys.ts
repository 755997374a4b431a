/** Keys per chunk before a chunk is split in two: inserts and deletes move at most this many. */
const CHUNK = 512;

/**
 * Keys kept in sorted order, for keyset pages without scanning: `after(key, n)` finds its start
 * by binary search, so a page costs O(log n + page) however many keys there are. The keys live in
 * sorted chunks of at most 2 × 512 (the layout of Python's sortedcontainers), so an insert or a
 * delete anywhere moves at most a chunk's worth of keys: ids (UUIDv7) mostly land at the end, but
 * name keys land anywhere, and one sorted array made 100,000 of those O(n²).
 */
export class OrderedKeys {
  private readonly chunks: string[][] = [];
  /** The last key of each chunk, for the binary search that finds a key's chunk. */
  private readonly lasts: string[] = [];
  private count = 0;

  insert(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.lasts.push(key);
      this.count = 1;
      return;
    }
    // The first chunk whose last key is ≥ key, or the last chunk when key is beyond them all.
    const c = Math.min(lowerBound(this.lasts, key), this.chunks.length - 1);
    const chunk = this.chunks[c]!;
    const at = lowerBound(chunk, key);
    if (chunk[at] === key) return;
    chunk.splice(at, 0, key);
    this.count++;
    this.lasts[c] = chunk[chunk.length - 1]!;
    if (chunk.length > 2 * CHUNK) {
      const tail = chunk.splice(CHUNK);
      this.chunks.splice(c + 1, 0, tail);
      this.lasts.splice(c, 1, chunk[chunk.length - 1]!, tail[tail.length - 1]!);
    }
  }

  delete(key: string): void {
    const c = lowerBound(this.lasts, key);
    const chunk = this.chunks[c];
    if (!chunk) return;
    const at = lowerBound(chunk, key);
    if (chunk[at] !== key) return;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.lasts.splice(c, 1);
    } else {
      this.lasts[c] = chunk[chunk.length - 1]!;
    }
  }

  /** Up to `limit` keys greater than `after` (from the first key when undefined), in order. */
  after(after: string | undefined, limit: number): string[] {
    let c = after === undefined ? 0 : upperBound(this.lasts, after);
    let at = after === undefined || c >= this.chunks.length ? 0 : upperBound(this.chunks[c]!, after);
    const out: string[] = [];
    while (out.length < limit && c < this.chunks.length) {
      const chunk = this.chunks[c]!;
      const take = chunk.slice(at, at + (limit - out.length));
      for (const k of take) out.push(k);
      c++;
      at = 0;
    }
    return out;
  }

  /** Up to `limit` keys less than `before`, in order (the last `limit` of them). */
  before(before: string, limit: number): string[] {
    let c = Math.min(lowerBound(this.lasts, before), this.chunks.length - 1);
    let end = c < 0 ? 0 : lowerBound(this.chunks[c]!, before);
    const parts: string[][] = [];
    let n = 0;
    while (n < limit && c >= 0) {
      const chunk = this.chunks[c]!;
      const part = chunk.slice(Math.max(0, end - (limit - n)), end);
      parts.push(part);
      n += part.length;
      c--;
      if (c >= 0) end = this.chunks[c]!.length;
    }
    return parts.reverse().flat();
  }

  get size(): number {
    return this.count;
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ordered keys per tenant (organization, SCIM configuration), created on first use. */
export class OrderedKeysByTenant {
  private readonly byTenant = new Map<string, OrderedKeys>();

  insert(tenant: string, key: string): void {
    let keys = this.byTenant.get(tenant);
    if (!keys) this.byTenant.set(tenant, (keys = new OrderedKeys()));
    keys.insert(key);
  }

  delete(tenant: string, key: string): void {
    const keys = this.byTenant.get(tenant);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.byTenant.delete(tenant);
  }

  after(tenant: string, after: string | undefined, limit: number): string[] {
    return this.byTenant.get(tenant)?.after(after, limit) ?? [];
  }

  before(tenant: string, before: string, limit: number): string[] {
    return this.byTenant.get(tenant)?.before(before, limit) ?? [];
  }

  count(tenant: string): number {
    return this.byTenant.get(tenant)?.size ?? 0;
  }

  /** The key lists of these tenants (an empty one for a tenant without keys), for walkKeys; read them only. */
  sources(tenants: readonly string[]): OrderedKeys[] {
    return tenants.map((t) => this.byTenant.get(t) ?? NO_KEYS);
  }
}

const NO_KEYS = new OrderedKeys();
