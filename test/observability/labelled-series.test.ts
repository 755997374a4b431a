import fc from "fast-check";
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { LabelledCounter, LabelledHistogram } from "../../src/observability/labelled-series.js";

// The per-request metrics are kept by labelled-series.ts instead of prom-client's Counter and
// Histogram (for speed); what /metrics shows must not change. Checked against prom-client
// itself: the same observations, in the same order, written out by a registry each.

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const protocol = fc.constantFrom("connect", "grpc", "grpc-web", "rest");
const route = fc.constantFrom("gitpod.v1.OrganizationService/GetSCIMConfiguration", "/scim/v2/Users/*", '/odd "quoted" \\ route\n');
// Bounds themselves (a value on a bound belongs to that bucket), between them, and beyond the last.
const seconds = fc.oneof(fc.constantFrom(0, ...BUCKETS, 31, 1e9), fc.double({ min: 0, max: 60, noNaN: true }));

describe("labelled series", () => {
  it("a histogram writes what prom-client's Histogram writes for the same observations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(protocol, route, seconds), { maxLength: 60 }), async (observations) => {
        const theirs = new Registry();
        const ours = new Registry();
        const reference = new Histogram({ name: "x_seconds", help: "Help with \\ and\nnewline.", labelNames: ["protocol", "route"], buckets: BUCKETS, registers: [theirs] });
        const fast = new LabelledHistogram("x_seconds", "Help with \\ and\nnewline.", ["protocol", "route"], BUCKETS, ours);
        for (const [p, r, s] of observations) {
          reference.observe({ protocol: p, route: r }, s);
          fast.observe([p, r], s);
        }
        expect(await ours.metrics()).toBe(await theirs.metrics());
      }),
      { numRuns: 200 },
    );
  });

  it("a counter writes what prom-client's Counter writes, zero-valued series included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(protocol, route, fc.constantFrom(0, 1, 1, 1, 2.5)), { maxLength: 60 }), async (incs) => {
        const theirs = new Registry();
        const ours = new Registry();
        const reference = new Counter({ name: "x_total", help: "Requests.", labelNames: ["protocol", "route"], registers: [theirs] });
        const fast = new LabelledCounter("x_total", "Requests.", ["protocol", "route"], ours);
        for (const [p, r, by] of incs) {
          reference.inc({ protocol: p, route: r }, by);
          fast.inc([p, r], by);
        }
        expect(await ours.metrics()).toBe(await theirs.metrics());
      }),
      { numRuns: 200 },
    );
  });

  it("refuses label values that do not match its label names, and resets with the registry", async () => {
    const registry = new Registry();
    const counter = new LabelledCounter("y_total", "Y.", ["a", "b"], registry);
    expect(() => counter.inc(["only-one"])).toThrow(/takes the labels a, b/);
    counter.inc(["1", "2"]);
    expect(await registry.metrics()).toContain('y_total{a="1",b="2"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain("y_total{");
  });
});
