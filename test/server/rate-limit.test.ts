import { describe, expect, it } from "vitest";
import { AuthFailureLimiter } from "../../src/auth/failure-limiter.js";

describe("AuthFailureLimiter", () => {
  it("blocks a client after its burst of failures and says how long to wait", () => {
    let t = 0;
    const limiter = new AuthFailureLimiter({ failuresPerMinute: 6, now: () => t });
    for (let i = 0; i < 6; i++) {
      expect(limiter.blockedFor("10.0.0.1")).toBe(0);
      limiter.recordFailure("10.0.0.1");
    }
    // One failure refills every 10 s.
    expect(limiter.blockedFor("10.0.0.1")).toBe(10);
    t = 4000;
    expect(limiter.blockedFor("10.0.0.1")).toBe(6);
    t = 10_000;
    expect(limiter.blockedFor("10.0.0.1")).toBe(0);
  });

  it("keeps clients apart", () => {
    const limiter = new AuthFailureLimiter({ failuresPerMinute: 2, now: () => 0 });
    limiter.recordFailure("a");
    limiter.recordFailure("a");
    expect(limiter.blockedFor("a")).toBeGreaterThan(0);
    expect(limiter.blockedFor("b")).toBe(0);
  });

  it("forgets a client once its bucket is full again, and bounds how many it tracks", () => {
    let t = 0;
    const limiter = new AuthFailureLimiter({ failuresPerMinute: 60, maxClients: 3, now: () => t });
    for (const c of ["a", "b", "c", "d"]) limiter.recordFailure(c);
    expect(limiter.size).toBe(3);
    t = 60_000;
    for (const c of ["b", "c", "d"]) limiter.blockedFor(c);
    expect(limiter.size).toBe(0);
  });

  it("does nothing with failuresPerMinute 0", () => {
    const limiter = new AuthFailureLimiter({ failuresPerMinute: 0 });
    for (let i = 0; i < 100; i++) limiter.recordFailure("a");
    expect(limiter.blockedFor("a")).toBe(0);
    expect(limiter.size).toBe(0);
  });
});

describe("AuthFailureLimiter at a blocked address", () => {
  const blockedLimiter = (clock: { t: number }, extra: Partial<ConstructorParameters<typeof AuthFailureLimiter>[0]> = {}) => {
    const limiter = new AuthFailureLimiter({ failuresPerMinute: 6, blockedLookupsPerMinute: 60, now: () => clock.t, ...extra });
    for (let i = 0; i < 6; i++) limiter.recordFailure("shared", `guess-${i}`);
    return limiter;
  };

  it("still admits a credential known good here, every time, without spending the budget", () => {
    const clock = { t: 0 };
    const limiter = blockedLimiter(clock);
    limiter.recordSuccess("good");
    for (let i = 0; i < 100; i++) expect(limiter.admit("shared", "good")).toBe(0);
    clock.t = 1000;
    expect(limiter.admit("shared", "unknown")).toBe(0); // the budget is untouched
  });

  it("admits other credentials one per second while blocked, and says when to retry", () => {
    const clock = { t: 0 };
    const limiter = blockedLimiter(clock);
    expect(limiter.admit("shared", "new-1")).toBe(1); // blocked just now: no budget yet
    clock.t = 1000;
    expect(limiter.admit("shared", "new-1")).toBe(0);
    expect(limiter.admit("shared", "new-2")).toBe(1);
    clock.t = 1500;
    expect(limiter.admit("shared", "new-2")).toBe(1);
    clock.t = 2000;
    expect(limiter.admit("shared", "new-2")).toBe(0);
    // Not blocked any more (one failure refills every 10 s): no budget needed.
    clock.t = 12_000;
    for (let i = 0; i < 5; i++) expect(limiter.admit("shared", `later-${i}`)).toBe(0);
  });

  it("with no budget, refuses every credential not known good until unblocked", () => {
    const clock = { t: 0 };
    const limiter = blockedLimiter(clock, { blockedLookupsPerMinute: 0 });
    clock.t = 5000;
    expect(limiter.admit("shared", "new")).toBe(5);
    expect(limiter.admit("shared", undefined)).toBe(5);
  });

  it("keeps a credential that goes on succeeding known good past the TTL of its first success", () => {
    const clock = { t: 1000 }; // lru-cache takes a start time of 0 for "no TTL"
    const limiter = blockedLimiter(clock, { blockedLookupsPerMinute: 0, knownGoodTtlMs: 60_000 });
    // A success every 10 s for two minutes: refreshed along the way (at most every 6 s here).
    for (let t = 1000; t <= 121_000; t += 10_000) {
      clock.t = t;
      limiter.recordSuccess("busy");
    }
    limiter.recordSuccess("once");
    clock.t = 121_000 + 50_000;
    for (let i = 0; i < 6; i++) limiter.recordFailure("shared");
    expect(limiter.admit("shared", "busy")).toBe(0);
    expect(limiter.admit("shared", "once")).toBe(0);
    // A minute after its last success, it is forgotten like any other.
    clock.t = 121_000 + 61_000;
    for (let i = 0; i < 6; i++) limiter.recordFailure("shared");
    expect(limiter.admit("shared", "busy")).toBeGreaterThan(0);
  });

  it("forgets a known-good credential when it fails, and after its TTL", () => {
    const clock = { t: 1000 }; // lru-cache takes a start time of 0 for "no TTL"
    const limiter = blockedLimiter(clock, { blockedLookupsPerMinute: 0, knownGoodTtlMs: 60_000 });
    limiter.recordSuccess("revoked");
    limiter.recordSuccess("idle");
    limiter.recordFailure("shared", "revoked");
    expect(limiter.admit("shared", "revoked")).toBeGreaterThan(0);
    expect(limiter.admit("shared", "idle")).toBe(0);
    clock.t = 62_000;
    for (let i = 0; i < 6; i++) limiter.recordFailure("shared");
    expect(limiter.admit("shared", "idle")).toBeGreaterThan(0);
  });
});
