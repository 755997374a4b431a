import { describe, expect, it } from "vitest";
import { p99RatioOf } from "../../bench/compare.js";
import { formatSpread } from "../../bench/spread.js";
import type { LoadResult } from "../../bench/protocol.js";

const round = (p99Ms: number): LoadResult => ({ requests: 1000, seconds: 5, rps: 200, p50Ms: 0, p99Ms, errors: 0, failures: 0 });

describe("the bench's p99 ratio", () => {
  it("is taken over the rounds whose baseline p99 is resolvable", () => {
    // The 2026-11-27 token-rows run printed "1.00 (NaN–NaN)": rounds of 0 ms on the baseline side.
    const spread = p99RatioOf([round(1), round(0), round(2), round(1)], [round(0), round(0), round(1), round(1)]);
    expect(formatSpread(spread)).toBe("1.50 (1.00–2.00)");
  });

  it("prints a dash, not NaN or Infinity, when no round can give a ratio", () => {
    const spread = p99RatioOf([round(1), round(0)], [round(0), round(0)]);
    expect(formatSpread(spread)).toBe("–");
    expect(spread.median <= 1.3).toBe(false); // a p99 target on it is missed, not guessed
  });
});
