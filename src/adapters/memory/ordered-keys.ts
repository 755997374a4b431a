/**
 * Keys kept in sorted order, for keyset pages without scanning: `after(key, n)` finds its start
 * by binary search, so a page costs O(log n + page) however many keys there are. Ids here are
 * UUIDv7 (time-ordered), so inserts nearly always land at the end and the array grows by push.
 */
export class OrderedKeys {
  private readonly keys: string[] = [];

  insert(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) return;
    if (at === this.keys.length) this.keys.push(key);
    else this.keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** Up to `limit` keys greater than `after` (from the first key when undefined), in order. */
  after(after: string | undefined, limit: number): string[] {
    const start = after === undefined ? 0 : this.upperBound(after);
    return this.keys.slice(start, start + limit);
  }

  /** Up to `limit` keys less than `before`, in order (the last `limit` of them). */
  before(before: string, limit: number): string[] {
    const end = this.lowerBound(before);
    return this.keys.slice(Math.max(0, end - limit), end);
  }

  get size(): number {
    return this.keys.length;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
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
