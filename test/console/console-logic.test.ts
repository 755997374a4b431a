import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { describeError } from "../../console/src/errors.js";
import { DAY_SECONDS, durationOfDays, expiryState, LIFETIMES } from "../../console/src/time.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const inDays = (days: number) => timestampFromDate(new Date(NOW + days * DAY_SECONDS * 1000));

describe("console: token expiry", () => {
  it("warns within 30 days, not beyond, and says expired at the instant of expiry", () => {
    expect(expiryState(inDays(31), NOW)).toEqual({ kind: "ok" });
    expect(expiryState(inDays(30), NOW)).toEqual({ kind: "soon", days: 30 });
    expect(expiryState(inDays(0.5), NOW)).toEqual({ kind: "soon", days: 1 });
    expect(expiryState(inDays(0), NOW)).toEqual({ kind: "expired" });
    expect(expiryState(inDays(-3), NOW)).toEqual({ kind: "expired" });
  });

  it("offers lifetimes from 1 day to 2 years, the service's range", () => {
    const seconds = LIFETIMES.map((l) => durationOfDays(l.days).seconds);
    expect(seconds[0]).toBe(86_400n);
    expect(seconds.at(-1)).toBe(63_072_000n);
    expect([...seconds].sort((a, b) => (a < b ? -1 : 1))).toEqual(seconds);
  });
});

describe("console: error messages", () => {
  it("puts an invalid_argument next to the field its message names", () => {
    const err = new ConnectError("issuer_url must be an absolute URI", Code.InvalidArgument);
    expect(describeError(err, ["issuer_url", "client_id"])).toEqual({ field: "issuer_url", message: "Invalid value: issuer_url must be an absolute URI" });
    const indexed = new ConnectError("email_domains[1] must be a domain name", Code.InvalidArgument);
    expect(describeError(indexed, ["email_domains"]).field).toBe("email_domains");
  });

  it("keeps errors of fields the form does not have at form level", () => {
    const err = new ConnectError("organization_id must be a UUID", Code.InvalidArgument);
    expect(describeError(err, ["name"])).toEqual({ field: undefined, message: "Invalid value: organization_id must be a UUID" });
  });

  it("blames the key for unauthenticated and the connection for a failed fetch", () => {
    expect(describeError(new ConnectError("API key not recognized", Code.Unauthenticated), ["api_key"]).field).toBe("api_key");
    const network = new ConnectError("Failed to fetch", Code.Unknown);
    const shown = describeError(network, ["base_url"]);
    expect(shown.field).toBe("base_url");
    expect(shown.message).toMatch(/CORS_ORIGINS/);
  });
});
