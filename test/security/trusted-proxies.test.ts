import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { createClientAddressResolver } from "../../src/http/client-address.js";
import type { HttpRequest } from "../../src/http/http-router.js";
import { transportFor } from "../support/clients.js";
import { credentialsClient } from "../support/credentials-client.js";
import { requestFrom } from "../support/from-address.js";
import { capturingLogger } from "../support/raw-http.js";
import { createScimTenant, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const fakeRequest = (peer: string, forwarded?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } }) as unknown as HttpRequest;

describe("client address resolution (src/http/client-address.ts)", () => {
  const resolve = createClientAddressResolver(["10.0.0.0/8", "2001:db8:ffff::/48"]);

  it("is the TCP peer, normalised, when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(resolve(fakeRequest("198.51.100.7", "203.0.113.1"))).toBe("198.51.100.7");
    expect(resolve(fakeRequest("::ffff:198.51.100.7", "203.0.113.1"))).toBe("198.51.100.7");
    expect(resolve(fakeRequest("2001:DB8:0:0:0:0:0:1"))).toBe("2001:db8::1");
    expect(createClientAddressResolver([])(fakeRequest("10.1.1.1", "203.0.113.1"))).toBe("10.1.1.1");
  });

  it("behind trusted proxies: the right-most address that is not one", () => {
    expect(resolve(fakeRequest("10.0.0.5", "203.0.113.1"))).toBe("203.0.113.1");
    // The client's own X-Forwarded-For sits left of what the proxy appended: never believed.
    expect(resolve(fakeRequest("10.0.0.5", "192.0.2.66, 203.0.113.1"))).toBe("203.0.113.1");
    // Two proxies of ours in a row (both trusted), with the IPv6 one writing brackets and a port.
    expect(resolve(fakeRequest("10.0.0.5", "203.0.113.1, [2001:db8:ffff::9]:443"))).toBe("203.0.113.1");
    expect(resolve(fakeRequest("10.0.0.5", ["203.0.113.1:5000", "10.2.2.2"]))).toBe("203.0.113.1");
    expect(resolve(fakeRequest("10.0.0.5", "2001:db8::42"))).toBe("2001:db8::42");
    // Nothing but trusted hops: the left-most.
    expect(resolve(fakeRequest("10.0.0.5", "10.9.9.9, 10.8.8.8"))).toBe("10.9.9.9");
    // No header: the proxy itself.
    expect(resolve(fakeRequest("10.0.0.5"))).toBe("10.0.0.5");
    // Garbage where the proxy should have written an address: believe nothing beyond the proxy.
    expect(resolve(fakeRequest("10.0.0.5", "203.0.113.1, not-an-address"))).toBe("10.0.0.5");
    expect(resolve(fakeRequest("10.0.0.5", "127.1"))).toBe("10.0.0.5");
  });

  it("TRUSTED_PROXIES is checked at start-up, naming the entry", () => {
    expect(loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, 2001:db8::/32" }).credentials.trustedProxies).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    expect(loadConfig({}).credentials.trustedProxies).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.1/8,nope" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.1/8,nope" })).toThrow(/TRUSTED_PROXIES entry "10.0.0.1\/8" has host bits set[\s\S]*TRUSTED_PROXIES entry "nope" is not an IPv4/);
  });
});

/**
 * A server behind a "load balancer" at 127.0.0.1 (TRUSTED_PROXIES=127.0.0.1/32): requests from
 * there carry the client in X-Forwarded-For; requests from 127.0.0.2 play a client that reaches
 * the service directly and forges the header.
 */
describe("TRUSTED_PROXIES on a real server", () => {
  let server: TestServer;
  let port: number;
  let tenant: ScimTenant;
  const { logger, lines } = capturingLogger("info");
  beforeAll(async () => {
    server = await startTestServer({ env: { HOST: "::", TRUSTED_PROXIES: "127.0.0.1/32", AUTH_FAILURES_PER_MINUTE: "3" }, logger });
    port = server.app.listener.address.port;
    tenant = await createScimTenant(server);
    await credentialsClient(server.baseUrl, server.adminKey).setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: ["203.0.113.0/24"] });
  });
  afterAll(() => server.close());

  const scimFrom = (from: string, forwarded: string | undefined, token = tenant.token) =>
    requestFrom(from, port, "/scim/v2/ServiceProviderConfig", { headers: { authorization: `Bearer ${token}`, ...(forwarded ? { "x-forwarded-for": forwarded } : {}) } });

  it("uses the forwarded address only when the peer is a listed proxy", async () => {
    expect((await scimFrom("127.0.0.1", "203.0.113.50")).status).toBe(200);
    expect((await scimFrom("127.0.0.1", "198.51.100.1")).status).toBe(403);
    // A spoofed header from a peer that is no proxy changes nothing.
    const spoofed = await scimFrom("127.0.0.2", "203.0.113.50");
    expect(spoofed.status).toBe(403);
    expect(spoofed.body.detail).toContain("this request came from 127.0.0.2.");
    // A forged entry left of what the proxy appended changes nothing either.
    expect((await scimFrom("127.0.0.1", "203.0.113.50, 198.51.100.1")).status).toBe(403);
    expect((await scimFrom("127.0.0.1", "198.51.100.1, 203.0.113.50")).status).toBe(200);
  });

  it("the same address goes to the access log and the audit trail", async () => {
    lines.length = 0;
    const res = await scimFrom("127.0.0.1", "198.51.100.77");
    expect(res.status).toBe(403);
    const line = lines.find((l) => l.reqId === res.headers["x-request-id"]);
    expect(line?.client).toBe("198.51.100.77");
    const transport = transportFor("connect-json", server.baseUrl, server.adminKey);
    const entries = await createClient(EventService, transport).listAuditLogs({ filter: { subjectIds: [tenant.scimConfigurationId] }, pagination: { pageSize: 10 } });
    const refused = entries.entries.find((e) => e.action === "scim.request.refused.address_not_allowed")!;
    const [details] = (await createClient(AuditDetailService, transport).getAuditLogDetails({ auditLogEntryIds: [refused.id] })).details;
    // Refusals are recorded once a minute per configuration: this entry is the first one's, forwarded by the proxy.
    expect(details!.clientAddress).toBe("198.51.100.1");
  });

  it("the brute-force limiter counts per forwarded client, and a spoofed header cannot escape a block", async () => {
    const bad = "scim_" + "0".repeat(46);
    for (let i = 0; i < 3; i++) expect((await scimFrom("127.0.0.1", "203.0.113.10", bad)).status).toBe(401);
    expect((await scimFrom("127.0.0.1", "203.0.113.10", bad)).status).toBe(429);
    // Another client behind the same load balancer is not blocked by its neighbour's failures.
    expect((await scimFrom("127.0.0.1", "203.0.113.11", bad)).status).toBe(401);
    // A direct client that is blocked stays blocked whatever it forwards.
    for (let i = 0; i < 3; i++) await scimFrom("127.0.0.3", `203.0.113.${20 + i}`, bad);
    expect((await scimFrom("127.0.0.3", "203.0.113.99", bad)).status).toBe(429);
  });
});
