import { MongoNetworkError, MongoNetworkTimeoutError, MongoServerError } from "mongodb";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import type { HttpRequest } from "../../src/http/http-router.js";
import type { RequestInfo } from "../../src/http/request-info.js";
import { errorKind, replyErrorKind } from "../../src/observability/database-metrics.js";
import { MetricsAccess, parseCidr } from "../../src/observability/metrics-access.js";
import { routeLabel } from "../../src/observability/request-metrics.js";
import { scimRateShare } from "../../src/operations-config.js";
import { parsePrometheusText } from "../support/prometheus-text.js";

describe("METRICS_ALLOW ranges", () => {
  it("parses addresses and CIDR ranges of both families, and nothing else", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", family: "ipv4", prefix: 8 });
    expect(parseCidr("fd00::/8")).toEqual({ address: "fd00::", family: "ipv6", prefix: 8 });
    expect(parseCidr("127.0.0.2")).toEqual({ address: "127.0.0.2", family: "ipv4", prefix: 32 });
    expect(parseCidr("::1")).toEqual({ address: "::1", family: "ipv6", prefix: 128 });
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0/8", "example.com", "10.0.0.0/8/1", "10.0.0.0/-1", "10.0.0.0/"]) expect(parseCidr(bad), bad).toBeUndefined();
  });

  it("admits loopback by default, IPv4 clients of a dual-stack listener as IPv4, and only the listed ranges", () => {
    const loopback = new MetricsAccess({ allow: ["127.0.0.0/8", "::1/128"] });
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(loopback.addressAllowed(a), a).toBe(true);
    for (const a of ["10.0.0.1", "::2", "::ffff:10.0.0.1", "unknown", ""]) expect(loopback.addressAllowed(a), a).toBe(false);
    const lan = new MetricsAccess({ allow: ["10.1.0.0/16", "fd00:1::/32"] });
    expect(lan.addressAllowed("10.1.200.3")).toBe(true);
    expect(lan.addressAllowed("10.2.0.1")).toBe(false);
    expect(lan.addressAllowed("fd00:1:ffff::9")).toBe(true);
    expect(lan.addressAllowed("fd00:2::9")).toBe(false);
    expect(lan.addressAllowed("127.0.0.1")).toBe(false);
  });

  it("matches the token exactly, and only when one is configured", () => {
    const withToken = new MetricsAccess({ allow: [], token: "a".repeat(40) });
    expect(withToken.acceptsToken).toBe(true);
    expect(withToken.tokenMatches("a".repeat(40))).toBe(true);
    expect(withToken.tokenMatches("a".repeat(39))).toBe(false);
    expect(withToken.tokenMatches(`${"a".repeat(40)} `)).toBe(false);
    const without = new MetricsAccess({ allow: [] });
    expect(without.acceptsToken).toBe(false);
    expect(without.tokenMatches("")).toBe(false);
  });
});

describe("operations settings", () => {
  it("defaults: loopback only, no token, one replica", () => {
    const config = loadConfig({});
    expect(config.operations).toEqual({ metricsAllow: ["127.0.0.0/8", "::1/128"], metricsToken: undefined, scimRateReplicas: 1, dbCommandMetrics: false });
    expect(loadConfig({ DB_COMMAND_METRICS: "on" }).operations.dbCommandMetrics).toBe(true);
    expect(() => loadConfig({ DB_COMMAND_METRICS: "no" })).toThrow('DB_COMMAND_METRICS must be on or off (got "no")');
    expect(loadConfig({ METRICS_ALLOW: "none" }).operations.metricsAllow).toEqual([]);
    expect(loadConfig({ METRICS_ALLOW: " 10.0.0.0/8 , fd00::/8" }).operations.metricsAllow).toEqual(["10.0.0.0/8", "fd00::/8"]);
  });

  it("names each bad value and never repeats the token", () => {
    const secret = "short secret";
    let message = "";
    try {
      loadConfig({ METRICS_ALLOW: "10.0.0.0/8,intranet", METRICS_TOKEN: secret, SCIM_RATE_REPLICAS: "3", SCIM_RATE_BURST: "2" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('METRICS_ALLOW entries must be addresses or CIDR ranges like 10.0.0.0/8 or fd00::/8, or the whole value "none" (got "intranet")');
    expect(message).toContain("METRICS_TOKEN must be 32 to 512 characters without white space");
    expect(message).toContain("SCIM_RATE_BURST (2) must be at least SCIM_RATE_REPLICAS (3)");
    expect(message).not.toContain(secret);
    expect(() => loadConfig({ SCIM_RATE_REPLICAS: "0" })).toThrow("SCIM_RATE_REPLICAS must be a whole number from 1 to 1000");
  });

  it("divides the SCIM rate and burst by the replicas", () => {
    const config = loadConfig({ SCIM_RATE_PER_SECOND: "50", SCIM_RATE_BURST: "100", SCIM_RATE_REPLICAS: "4" });
    expect(scimRateShare(config)).toEqual({ ratePerSecond: 12.5, burst: 25 });
    expect(scimRateShare(loadConfig({}))).toEqual({ ratePerSecond: 50, burst: 100 });
  });
});

describe("metric labels", () => {
  const req = (url: string) => ({ url }) as HttpRequest;
  const info = (route?: RequestInfo["route"]): RequestInfo => ({ id: "r", client: "127.0.0.1", ...(route ? { route } : {}) });

  it("names routes by template: a collection's wildcard is an id, any other wildcard an unknown path", () => {
    expect(routeLabel(req("/scim/v2/Users/123"), info({ kind: "http", name: "/scim/v2/Users/*" }))).toBe("/scim/v2/Users/{id}");
    expect(routeLabel(req("/scim/v2/Schemas/urn:x"), info({ kind: "http", name: "/scim/v2/Schemas/*" }))).toBe("/scim/v2/Schemas/{id}");
    expect(routeLabel(req("/scim/v2/whatever"), info({ kind: "http", name: "/scim/v2/*" }))).toBe("/scim/v2/{unknown}");
    expect(routeLabel(req("/api/admin/scim-settings/x"), info({ kind: "http", name: "/api/admin/scim-settings/*" }))).toBe("/api/admin/scim-settings/{unknown}");
    expect(routeLabel(req("/healthz"), info({ kind: "http", name: "/healthz" }))).toBe("/healthz");
    expect(routeLabel(req("/x.Y/Z"), info({ kind: "rpc", name: "gitpod.v1.OrganizationService/ListMembers" }))).toBe("gitpod.v1.OrganizationService/ListMembers");
    expect(routeLabel(req("/console/assets/app-1234.js"), info())).toBe("/console/*");
    expect(routeLabel(req("/favicon.ico"), info())).toBe("{unmatched}");
  });

  it("sorts database failures into a few kinds", () => {
    expect(errorKind(new MongoServerError({ code: 11000, errmsg: "E11000 duplicate key" }))).toBe("duplicate_key");
    expect(errorKind(new MongoServerError({ code: 2, errmsg: "bad value" }))).toBe("server");
    expect(errorKind(new MongoNetworkTimeoutError("timed out"))).toBe("timeout");
    expect(errorKind(new MongoNetworkError("reset"))).toBe("network");
    expect(errorKind(new Error("?"))).toBe("other");
    expect(replyErrorKind({ ok: 1, n: 0, writeErrors: [{ index: 0, code: 11000 }] })).toBe("duplicate_key");
    expect(replyErrorKind({ ok: 1, writeErrors: [{ index: 0, code: 121 }] })).toBe("write_error");
    expect(replyErrorKind({ ok: 1, writeConcernError: { code: 64 } })).toBe("write_concern");
    expect(replyErrorKind({ ok: 1, n: 1 })).toBeUndefined();
  });
});

describe("the strict Prometheus text parser of the tests", () => {
  const ok = "# HELP h_seconds A histogram.\n# TYPE h_seconds histogram\nh_seconds_bucket{le=\"1\"} 1\nh_seconds_bucket{le=\"+Inf\"} 2\nh_seconds_sum 3\nh_seconds_count 2\n";

  it("reads a well-formed exposition", () => {
    const m = parsePrometheusText(`${ok}# TYPE c_total counter\nc_total{a="x\\"y"} 4\n`);
    expect(m.value("h_seconds_count")).toBe(2);
    expect(m.value("c_total", { a: 'x"y' })).toBe(4);
  });

  it.each([
    ["no final line feed", ok.slice(0, -1)],
    ["buckets not cumulative", ok.replace('le="1"} 1', 'le="1"} 3')],
    ["+Inf bucket not _count", ok.replace("h_seconds_count 2", "h_seconds_count 5")],
    ["a series twice", `${ok}# TYPE g gauge\ng 1\ng 2\n`],
    ["a bad escape", '# TYPE g gauge\ng{a="\\x"} 1\n'],
    ["a family in two places", "# TYPE g gauge\ng 1\n# TYPE k gauge\nk 1\ng{a=\"b\"} 2\n"],
    ["a bad value", "# TYPE g gauge\ng one\n"],
    ["a histogram sample without its suffix", "# TYPE h histogram\nh 1\n"],
  ])("refuses %s", (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
