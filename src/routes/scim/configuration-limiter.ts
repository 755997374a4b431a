export interface ConfigurationLimiterOptions {
  /** Requests per second a SCIM configuration may make, sustained (0 turns the limit off). */
  ratePerSecond: number;
  /** Requests it may make at once above the sustained rate (the bucket's size). */
  burst: number;
  /** Configurations tracked at most; the least recently seen are forgotten first. */
  maxTracked?: number;
  /** Monotonic milliseconds; tests inject one. */
  now?: () => number;
  /** Told of every refused request (the metrics count them). */
  onLimited?: () => void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-configuration rate limit of /scim/v2 (token bucket; every call made with the
 * configuration's token counts, discovery included): one tenant's identity provider cannot take
 * the service from the others. Entra's gallery asks for at least 25 requests/s per tenant; the
 * default is 50/s with a burst of 100. Kept per replica: with N replicas behind a load balancer,
 * SCIM_RATE_REPLICAS=N makes each enforce 1/N of the setting (the composition root divides), so
 * that together they allow the configured total (docs/deploying.md).
 */
export class ConfigurationLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxTracked: number;

  constructor(private readonly options: ConfigurationLimiterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.maxTracked = options.maxTracked ?? 100_000;
  }

  /** Takes one request's token; returns 0 when allowed, else the whole seconds to wait (Retry-After). */
  take(configurationId: string): number {
    if (this.options.ratePerSecond <= 0) return 0;
    const t = this.now();
    const rate = this.options.ratePerSecond / 1000;
    let bucket = this.buckets.get(configurationId);
    if (bucket) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + (t - bucket.updatedAt) * rate);
      bucket.updatedAt = t;
      // Re-insert: Map order becomes "least recently seen first" for eviction.
      this.buckets.delete(configurationId);
    } else {
      bucket = { tokens: this.options.burst, updatedAt: t };
    }
    this.buckets.set(configurationId, bucket);
    // No iterator unless there is something to evict (this runs on every SCIM call).
    if (this.buckets.size > this.maxTracked) {
      for (const key of this.buckets.keys()) {
        if (this.buckets.size <= this.maxTracked) break;
        this.buckets.delete(key);
      }
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.options.onLimited?.();
    return Math.max(1, Math.ceil((1 - bucket.tokens) / rate / 1000));
  }
}
