import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { walkKeys } from "../../../src/adapters/memory/keyset-walk.js";
import { OrderedKeys } from "../../../src/adapters/memory/ordered-keys.js";

const key = fc.string({ minLength: 0, maxLength: 4, unit: fc.constantFrom("a", "b", "c", "d", "e", "\u0000", "é") });

describe("OrderedKeys (chunked sorted keys)", () => {
  it("answers after/before/size exactly as one sorted array would, across chunk splits and merges", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 3000 }), fc.array(fc.tuple(fc.option(key, { nil: undefined }), fc.integer({ min: 0, max: 40 })), { maxLength: 20 }), (ops, probes) => {
        const keys = new OrderedKeys();
        const model = new Set<string>();
        for (const [add, k] of ops) {
          if (add) {
            keys.insert(k);
            model.add(k);
          } else {
            keys.delete(k);
            model.delete(k);
          }
        }
        const sorted = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(keys.size).toBe(sorted.length);
        for (const [at, limit] of probes) {
          expect(keys.after(at, limit)).toEqual(sorted.filter((k) => at === undefined || k > at).slice(0, limit));
          if (at === undefined) continue;
          const less = sorted.filter((k) => k < at);
          expect(keys.before(at, limit)).toEqual(limit === 0 ? [] : less.slice(-limit));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("keeps thousands of keys inserted in any order sorted", () => {
    const keys = new OrderedKeys();
    const all = Array.from({ length: 5000 }, (_, i) => `k${String((i * 7919) % 5000).padStart(5, "0")}`);
    for (const k of all) keys.insert(k);
    for (const k of all.filter((_, i) => i % 3 === 0)) keys.delete(k);
    const expected = all.filter((_, i) => i % 3 !== 0).sort();
    expect(keys.after(undefined, 10_000)).toEqual(expected);
    expect(keys.before("\uffff", 10_000)).toEqual(expected);
    expect(keys.size).toBe(expected.length);
  });
});

describe("walkKeys: several indexes as one keyset", () => {
  const build = (list: string[]) => {
    const k = new OrderedKeys();
    for (const x of list) k.insert(x);
    return k;
  };

  it("merges lists in either direction from a position, filters, stops at a bound, never skips or repeats", () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(key, { maxLength: 300 }), { minLength: 1, maxLength: 4 }), fc.option(key, { nil: undefined }), fc.integer({ min: 1, max: 70 }), fc.boolean(), (lists, start, limit, asc) => {
        const sources = lists.map(build);
        const union = [...new Set(lists.flat())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const ordered = asc ? union : [...union].reverse();
        const accept = (k: string) => !k.startsWith("a");
        const stop = (k: string) => (asc ? k >= "d" : k < "b");
        // From the position on, up to the first key past the bound, the accepted ones.
        const untilStop: string[] = [];
        for (const k of ordered.filter((k) => start === undefined || (asc ? k > start : k < start))) {
          if (stop(k)) break;
          if (accept(k)) untilStop.push(k);
        }
        expect(walkKeys(sources, { order: asc ? "asc" : "desc", start, limit, accept, stop })).toEqual(untilStop.slice(0, limit));
      }),
      { numRuns: 300 },
    );
  });
});
