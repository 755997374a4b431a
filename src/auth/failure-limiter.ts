export interface AuthFailureLimiterOptions {
  /**
   * Failed authentications a client may make per minute, sustained; it may also spend this many
   * at once (the bucket's size). 0 turns the limiter off.
   */
  failuresPerMinute: number;
  /** Clients tracked at most; the least recently failing are forgotten first. */
  maxClients?: number;
  /** Monotonic milliseconds; tests inject one. */
  now?: () => number;
}

interface Bucket {
  /** Failures the client may still make; refills continuously up to the capacity. */
  tokens: number;
  updatedAt: number;
}

/**
 * Brute-force protection for credentials (management API keys, SCIM tokens), keyed by client
 * address. Each failed authentication takes a token from the client's bucket; an empty bucket
 * blocks the client until a token has refilled. Only failures count, so a client whose
 * credentials are good is never slowed down, and a blocked client is refused before its
 * credential is looked up (no database work for guesses).
 *
 * Use: `const wait = limiter.blockedFor(ip)`; if wait > 0, refuse with 429 / resource_exhausted
 * and `Retry-After: wait`; otherwise authenticate, and on failure call `limiter.recordFailure(ip)`.
 */
export class AuthFailureLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: AuthFailureLimiterOptions) {
    this.capacity = options.failuresPerMinute;
    this.refillPerMs = options.failuresPerMinute / 60_000;
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Whole seconds the client must wait before its next attempt (for Retry-After); 0 when it may try now. */
  blockedFor(client: string): number {
    if (!this.enabled) return 0;
    const bucket = this.refill(client);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  /** Counts one failed authentication of the client. */
  recordFailure(client: string): void {
    if (!this.enabled) return;
    const bucket = this.refill(client) ?? { tokens: this.capacity, updatedAt: this.now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Re-insert so that Map order is "least recently failing first" for eviction.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxClients) break;
      this.buckets.delete(key);
    }
  }

  /** Clients currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(client: string): Bucket | undefined {
    const bucket = this.buckets.get(client);
    if (!bucket) return undefined;
    const t = this.now();
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (t - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = t;
    if (bucket.tokens >= this.capacity) {
      // A full bucket is the same as no bucket: forget the client so the map stays small.
      this.buckets.delete(client);
      return undefined;
    }
    return bucket;
  }
}
