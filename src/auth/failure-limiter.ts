import { LRUCache } from "lru-cache";

export interface AuthFailureLimiterOptions {
  /**
   * Failed authentications a client may make per minute, sustained; it may also spend this many
   * at once (the bucket's size). 0 turns the limiter off.
   */
  failuresPerMinute: number;
  /**
   * While a client is blocked: lookups per minute it may still cause for credentials that are not
   * known good here (at most one at a time; 0: none). Default 60, one a second.
   */
  blockedLookupsPerMinute?: number;
  /** Clients tracked at most; the least recently failing are forgotten first. */
  maxClients?: number;
  /** Credentials remembered as known good at most; the least recently successful go first. */
  knownGoodMax?: number;
  /** How long a successful authentication keeps a credential known good. */
  knownGoodTtlMs?: number;
  /** Monotonic milliseconds; tests inject one. */
  now?: () => number;
  /** Told of every refusal admit() makes (the metrics count them). */
  onBlocked?: () => void;
}

interface Bucket {
  /** Failures the client may still make; refills continuously up to the capacity. */
  tokens: number;
  updatedAt: number;
  /** While blocked: lookups it may still cause for credentials not known good (up to 1). */
  lookups: number;
}

export const KNOWN_GOOD_MAX = 100_000;
export const KNOWN_GOOD_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Brute-force protection for credentials (management API keys, SCIM tokens), keyed by client
 * address, that never locks out a client whose credential is valid (identity providers send many
 * tenants from shared addresses, so the failures at an address are often someone else's):
 *
 * - Each failed authentication takes a token from the address's bucket (capacity
 *   `failuresPerMinute`, refilled at that rate); an empty bucket blocks the address.
 * - A blocked address still gets its credentials checked when they are *known good*: they
 *   authenticated successfully on this process within `knownGoodTtlMs` (a bounded LRU of
 *   credential hashes; OWASP's "device cookie" idea, keyed by the credential itself).
 * - Any other credential from a blocked address is checked only within a small budget
 *   (`blockedLookupsPerMinute`, one at a time); beyond it the answer is 429 / resource_exhausted
 *   with Retry-After, without a lookup.
 *
 * So the lookups that failures can cost per address are bounded (the burst, then the budget),
 * and a client that has authenticated here is never refused because of its neighbours.
 *
 * Use: `const wait = limiter.admit(ip, credential)`; if wait > 0, refuse with Retry-After: wait;
 * otherwise authenticate, then `recordSuccess(credential)` or `recordFailure(ip, credential)`.
 */
export class AuthFailureLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly lookupRefillPerMs: number;
  private readonly maxClients: number;
  private readonly knownGood: LRUCache<string, true>;
  /** A known-good entry with more time left than this is not refreshed (see recordSuccess). */
  private readonly knownGoodFreshMs: number;
  private readonly now: () => number;
  private readonly onBlocked: (() => void) | undefined;

  constructor(options: AuthFailureLimiterOptions) {
    this.onBlocked = options.onBlocked;
    this.capacity = options.failuresPerMinute;
    this.refillPerMs = options.failuresPerMinute / 60_000;
    this.lookupRefillPerMs = (options.blockedLookupsPerMinute ?? 60) / 60_000;
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? (() => performance.now());
    const knownGoodTtlMs = options.knownGoodTtlMs ?? KNOWN_GOOD_TTL_MS;
    this.knownGoodFreshMs = knownGoodTtlMs - Math.min(60_000, knownGoodTtlMs / 10);
    this.knownGood = new LRUCache<string, true>({
      max: options.knownGoodMax ?? KNOWN_GOOD_MAX,
      ttl: knownGoodTtlMs,
      ttlResolution: 0,
      perf: { now: this.now },
    });
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Whole seconds until the client is no longer blocked (0: not blocked). */
  blockedFor(client: string): number {
    if (!this.enabled) return 0;
    const bucket = this.refill(client);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  /**
   * Whether this credential (an identifier such as its hash; undefined when there is none) may be
   * looked up now for this client: 0 yes, otherwise the whole seconds to wait (for Retry-After).
   * A blocked client's lookup of a credential that is not known good spends its budget.
   */
  admit(client: string, credential: string | undefined): number {
    const blocked = this.blockedFor(client);
    if (blocked === 0) return 0;
    if (credential !== undefined && this.knownGood.has(credential)) return 0;
    const bucket = this.buckets.get(client)!;
    if (credential !== undefined && bucket.lookups >= 1) {
      bucket.lookups -= 1;
      return 0;
    }
    this.onBlocked?.();
    if (this.lookupRefillPerMs === 0) return blocked;
    return Math.min(blocked, Math.max(1, Math.ceil((1 - bucket.lookups) / this.lookupRefillPerMs / 1000)));
  }

  /** A credential authenticated: it is known good from now on (for knownGoodTtlMs). */
  recordSuccess(credential: string): void {
    if (!this.enabled) return;
    // Refreshed at most every tenth of the TTL (a minute at most) per credential: an LRU set on
    // every authenticated request was the limiter's largest cost per call (profiled under the
    // bench's load), and a day's TTL needs no second-by-second freshness.
    if (this.knownGood.getRemainingTTL(credential) > this.knownGoodFreshMs) return;
    this.knownGood.set(credential, true);
  }

  /** Counts one failed authentication of the client; the credential is no longer known good. */
  recordFailure(client: string, credential?: string): void {
    if (!this.enabled) return;
    if (credential !== undefined) this.knownGood.delete(credential);
    const bucket = this.refill(client) ?? { tokens: this.capacity, updatedAt: this.now(), lookups: 0 };
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
    const elapsed = t - bucket.updatedAt;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerMs);
    // The lookup budget fills only while blocked: a client that becomes blocked starts without one.
    bucket.lookups = bucket.tokens >= 1 ? 0 : Math.min(1, bucket.lookups + elapsed * this.lookupRefillPerMs);
    bucket.updatedAt = t;
    if (bucket.tokens >= this.capacity) {
      // A full bucket is the same as no bucket: forget the client so the map stays small.
      this.buckets.delete(client);
      return undefined;
    }
    return bucket;
  }
}
