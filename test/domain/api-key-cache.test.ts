import { describe, expect, it } from "vitest";
import { ApiKeys } from "../../src/domain/api-keys.js";
import { systemClock } from "../../src/domain/clock.js";
import { UnauthenticatedError } from "../../src/domain/errors.js";
import { LookupCache } from "../../src/domain/lookup-cache.js";
import { createMemoryStores } from "../../src/store/memory/memory-stores.js";
import type { ApiKeyStore } from "../../src/store/stores.js";

/** Counts findByHash calls so the tests can see which authentications reached the store. */
function countingStore(): { store: ApiKeyStore; lookups: () => number } {
  const inner = createMemoryStores().apiKeys;
  let n = 0;
  const store: ApiKeyStore = {
    create: (r) => inner.create(r),
    findByHash: (h) => {
      n++;
      return inner.findByHash(h);
    },
    list: (o) => inner.list(o),
    revoke: (id, now) => inner.revoke(id, now),
    count: () => inner.count(),
  };
  return { store, lookups: () => n };
}

describe("API key authentication cache", () => {
  it("serves a found key from memory within the TTL and asks the store again after it", async () => {
    let t = 0;
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, { cacheTtlMs: 1000, now: () => t });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k");
    await keys.authenticate(key);
    await keys.authenticate(key);
    t = 999;
    await keys.authenticate(key);
    expect(lookups()).toBe(1);
    t = 1000;
    await keys.authenticate(key);
    expect(lookups()).toBe(2);
  });

  it("coalesces concurrent misses of one key into one lookup", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, { cacheTtlMs: 1000 });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "member", "k");
    const principals = await Promise.all(Array.from({ length: 50 }, () => keys.authenticate(key)));
    expect(lookups()).toBe(1);
    expect(new Set(principals.map((p) => p.role))).toEqual(new Set(["member"]));
  });

  it("never remembers an unknown key: every guess is looked up (and counted by the rate limiter)", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, { cacheTtlMs: 60_000 });
    for (let i = 0; i < 3; i++) await expect(keys.authenticate("x".repeat(40))).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(lookups()).toBe(3);
  });

  it("a revoke through this instance takes effect at once, whatever the TTL", async () => {
    const keys = new ApiKeys(createMemoryStores().apiKeys, systemClock, { cacheTtlMs: 60_000 });
    const { key, record } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k");
    await keys.authenticate(key);
    await keys.revoke(record.id);
    await expect(keys.authenticate(key)).rejects.toThrow(/revoked/);
  });

  it("a revoke made elsewhere (another replica, the CLI) stops the key within the TTL", async () => {
    let t = 0;
    const stores = createMemoryStores();
    const here = new ApiKeys(stores.apiKeys, systemClock, { cacheTtlMs: 5000, now: () => t });
    const elsewhere = new ApiKeys(stores.apiKeys, systemClock);
    const { key, record } = await here.issue("00000000-0000-4000-8000-000000000001", "admin", "k");
    await here.authenticate(key);
    await elsewhere.revoke(record.id);
    t = 4999;
    await expect(here.authenticate(key)).resolves.toBeDefined(); // still inside the stated bound
    t = 5000;
    await expect(here.authenticate(key)).rejects.toThrow(/revoked/);
  });

  it("with TTL 0 every authentication reads the store", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, { cacheTtlMs: 0 });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k");
    await keys.authenticate(key);
    await keys.authenticate(key);
    expect(lookups()).toBe(2);
  });
});

describe("LookupCache", () => {
  it("keeps at most maxEntries, dropping the oldest", async () => {
    const cache = new LookupCache<number>({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    let loads = 0;
    const load = (v: number) => () => {
      loads++;
      return Promise.resolve(v);
    };
    await cache.get("a", load(1));
    await cache.get("b", load(2));
    await cache.get("c", load(3));
    expect(cache.size).toBe(2);
    await cache.get("a", load(1));
    expect(loads).toBe(4); // "a" had been dropped
  });

  it("does not keep a failed lookup (a database outage is not remembered)", async () => {
    const cache = new LookupCache<number>({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    await expect(cache.get("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    await expect(cache.get("a", () => Promise.resolve(7))).resolves.toBe(7);
  });
});
