import { describe, expect, it } from "vitest";
import { API_KEY_CACHE_MAX_ENTRIES, ApiKeys } from "../../src/domain/api-keys.js";
import { systemClock } from "../../src/domain/clock.js";
import { UnauthenticatedError } from "../../src/domain/errors.js";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import type { ApiKeyStore } from "../../src/domain/ports.js";
import { AuditTrail } from "../../src/domain/audit/audit-trail.js";
import { TEST_AUDIT } from "../support/test-server.js";

/** The audit trail the keys record into (a memory store; these tests look at the cache only). */
const trail = () => new AuditTrail({ store: createMemoryStores().audit, clock: systemClock, onLost: (_e, err) => { throw err; } });

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
    get: (id) => inner.get(id),
    list: (o) => inner.list(o),
    revoke: (id, now) => inner.revoke(id, now),
    count: () => inner.count(),
  };
  return { store, lookups: () => n };
}

describe("API key authentication cache", () => {
  it("serves a found key from memory within the TTL and asks the store again after it", async () => {
    let t = 10_000;
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, trail(), { cacheTtlMs: 1000, now: () => t });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k", TEST_AUDIT);
    await keys.authenticate(key);
    await keys.authenticate(key);
    t = 11_000; // exactly the TTL old: still served from memory
    await keys.authenticate(key);
    expect(lookups()).toBe(1);
    t = 11_001;
    await keys.authenticate(key);
    expect(lookups()).toBe(2);
  });

  it("coalesces concurrent misses of one key into one lookup", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, trail(), { cacheTtlMs: 1000 });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "member", "k", TEST_AUDIT);
    const principals = await Promise.all(Array.from({ length: 50 }, () => keys.authenticate(key)));
    expect(lookups()).toBe(1);
    expect(new Set(principals.map((p) => p.role))).toEqual(new Set(["member"]));
  });

  it("never remembers an unknown key: every guess is looked up (and counted by the rate limiter)", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, trail(), { cacheTtlMs: 60_000 });
    for (let i = 0; i < 3; i++) await expect(keys.authenticate("x".repeat(40))).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(lookups()).toBe(3);
  });

  it("a revoke through this instance takes effect at once, whatever the TTL", async () => {
    const keys = new ApiKeys(createMemoryStores().apiKeys, systemClock, trail(), { cacheTtlMs: 60_000 });
    const { key, record } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k", TEST_AUDIT);
    await keys.authenticate(key);
    await keys.revoke(record.id, TEST_AUDIT);
    await expect(keys.authenticate(key)).rejects.toThrow(/revoked/);
  });

  it("a revoke made elsewhere (another replica, the CLI) stops the key within the TTL", async () => {
    let t = 10_000;
    const stores = createMemoryStores();
    const here = new ApiKeys(stores.apiKeys, systemClock, trail(), { cacheTtlMs: 5000, now: () => t });
    const elsewhere = new ApiKeys(stores.apiKeys, systemClock, trail());
    const { key, record } = await here.issue("00000000-0000-4000-8000-000000000001", "admin", "k", TEST_AUDIT);
    await here.authenticate(key);
    await elsewhere.revoke(record.id, TEST_AUDIT);
    t = 15_000;
    await expect(here.authenticate(key)).resolves.toBeDefined(); // still inside the stated bound
    t = 15_001;
    await expect(here.authenticate(key)).rejects.toThrow(/revoked/);
  });

  it("with TTL 0 every authentication reads the store", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, trail(), { cacheTtlMs: 0 });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k", TEST_AUDIT);
    await keys.authenticate(key);
    await keys.authenticate(key);
    expect(lookups()).toBe(2);
  });
});

describe("API key cache bounds", () => {
  it("keeps at most API_KEY_CACHE_MAX_ENTRIES keys, dropping the least recently used", async () => {
    const { store, lookups } = countingStore();
    const keys = new ApiKeys(store, systemClock, trail(), { cacheTtlMs: 60_000, now: () => 0 });
    const org = "00000000-0000-4000-8000-000000000001";
    const first = (await keys.issue(org, "admin", "first", TEST_AUDIT)).key;
    await keys.authenticate(first);
    for (let i = 0; i < API_KEY_CACHE_MAX_ENTRIES; i++) {
      await keys.authenticate((await keys.issue(org, "member", `k${i}`, TEST_AUDIT)).key);
    }
    const before = lookups();
    await keys.authenticate(first); // pushed out by the newer keys: asked again
    expect(lookups()).toBe(before + 1);
  });

  it("does not keep a failed lookup (a database outage is not remembered)", async () => {
    const { store } = countingStore();
    let down = true;
    const flaky: ApiKeyStore = { ...store, findByHash: (h) => (down ? Promise.reject(new Error("down")) : store.findByHash(h)) };
    const keys = new ApiKeys(flaky, systemClock, trail(), { cacheTtlMs: 60_000 });
    const { key } = await keys.issue("00000000-0000-4000-8000-000000000001", "admin", "k", TEST_AUDIT);
    await expect(keys.authenticate(key)).rejects.toThrow("down");
    down = false;
    await expect(keys.authenticate(key)).resolves.toMatchObject({ role: "admin" });
  });
});
