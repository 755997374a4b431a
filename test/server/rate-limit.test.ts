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
