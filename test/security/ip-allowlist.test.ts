import { createClient } from "@connectrpc/connect";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { allowlistAdmits, parseAllowlist } from "../../src/domain/credentials/ip-allowlist.js";
import { ValidationError } from "../../src/domain/validation-error.js";
import { transportFor } from "../support/clients.js";
import { codeOf, credentialsClient, messageOf, type CredentialsClient } from "../support/credentials-client.js";
import { requestFrom } from "../support/from-address.js";
import { createScimTenant, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, STORE_KINDS, type TestServer } from "../support/test-server.js";

describe("IP allowlist rules", () => {
  it("normalises entries: canonical text, bare addresses as one host, no duplicates", () => {
    expect(parseAllowlist("cidrs", ["10.0.0.0/8", " 192.0.2.7 ", "2001:DB8:0:0::/32", "::1", "10.0.0.0/8", "::ffff:0:0/96"])).toEqual([
      "10.0.0.0/8",
      "192.0.2.7/32",
      "2001:db8::/32",
      "::1/128",
      "::ffff:0:0/96",
    ]);
    expect(parseAllowlist("cidrs", [])).toEqual([]);
  });

  it.each([
    ["10.0.0.1/8", 'cidrs[1] "10.0.0.1/8" has host bits set; the network is 10.0.0.0/8'],
    ["10.0.0.0/33", 'cidrs[1] "10.0.0.0/33" has a prefix length that is not 0 to 32'],
    ["2001:db8::1/32", 'cidrs[1] "2001:db8::1/32" has host bits set; the network is 2001:db8::/32'],
    ["127.1", 'cidrs[1] "127.1" is not an IPv4 address in four-part decimal or an IPv6 address'],
    ["example.com", 'cidrs[1] "example.com" is not an IPv4 address in four-part decimal or an IPv6 address'],
    ["fe80::1%eth0/128", 'cidrs[1] "fe80::1%eth0/128" must not carry an IPv6 zone id'],
    ["10.0.0.0/8/8", 'cidrs[1] "10.0.0.0/8/8" is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32'],
    ["", 'cidrs[1] "" is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32'],
  ])("refuses %j naming the entry and the rule", (bad, message) => {
    expect(() => parseAllowlist("cidrs", ["192.0.2.0/24", bad])).toThrow(new ValidationError("cidrs", "x").constructor);
    expect(() => parseAllowlist("cidrs", ["192.0.2.0/24", bad])).toThrow(message);
  });

  it("takes at most 100 entries", () => {
    const many = Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`);
    expect(() => parseAllowlist("cidrs", many)).toThrow("cidrs must have at most 100 entries (got 101)");
    expect(parseAllowlist("cidrs", many.slice(0, 100))).toHaveLength(100);
  });

  it("admits by family, IPv4-mapped IPv6 as IPv4, and anything when empty", () => {
    const list = ["192.0.2.0/24", "2001:db8::/32"];
    expect(allowlistAdmits(list, "192.0.2.200")).toBe(true);
    expect(allowlistAdmits(list, "::ffff:192.0.2.200")).toBe(true);
    expect(allowlistAdmits(list, "192.0.3.1")).toBe(false);
    expect(allowlistAdmits(list, "2001:db8:ffff::1")).toBe(true);
    expect(allowlistAdmits(list, "2001:db9::1")).toBe(false);
    expect(allowlistAdmits(list, "unknown")).toBe(false);
    expect(allowlistAdmits([], "203.0.113.1")).toBe(true);
    expect(allowlistAdmits(undefined, "203.0.113.1")).toBe(true);
    expect(allowlistAdmits(["0.0.0.0/0"], "203.0.113.1")).toBe(true);
    expect(allowlistAdmits(["0.0.0.0/0"], "::1")).toBe(false);
  });

  it("matches as ipaddr.js's own match does, for any IPv4 or IPv6 address and prefix length", () => {
    // The list is matched on numbers parsed once, not through ipaddr.js per call; the reference
    // is ipaddr.js's match. Clients: the range's own address, it with one bit flipped (inside or
    // outside depending on the bit), and any address of the family.
    const family = fc.oneof(
      fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([b, bits]) => ({ bytes: b, bits })),
      fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 })).map(([b, bits]) => ({ bytes: b, bits })),
    );
    fc.assert(
      fc.property(family, fc.nat(), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 2 }), ({ bytes, bits }, flip, any, which) => {
        const masked = bytes.map((byte, i) => byte & ((0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff));
        const cidr = `${text(masked)}/${bits}`;
        const flipped = [...bytes];
        const bit = flip % (bytes.length * 8);
        flipped[bit >> 3] = flipped[bit >> 3]! ^ (0x80 >> (bit & 7));
        const client = text([bytes, flipped, any.slice(0, bytes.length)][which]!);
        const [network, length] = ipaddr.parseCIDR(cidr);
        const address = ipaddr.process(client);
        expect(parseAllowlist("cidrs", [cidr])).toHaveLength(1);
        expect(allowlistAdmits([cidr], client)).toBe(address.kind() === network.kind() && address.match(network, length));
      }),
      { numRuns: 3000 },
    );
  });
});

/** An address's text from its bytes (IPv6 in RFC 5952 form; an IPv4-mapped one reads as IPv4 to the list). */
function text(bytes: number[]): string {
  const a = ipaddr.fromByteArray(bytes);
  return a.kind() === "ipv6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

/** The allowlist at work over IPv4 and IPv6 loopback, on a server bound to "::" (both families). */
describe.each(STORE_KINDS)("IP allowlist on /scim/v2 and /oauth2/token (%s)", (store) => {
  let server: TestServer;
  let port: number;
  let creds: CredentialsClient;
  let tenant: ScimTenant;
  beforeAll(async () => {
    server = await startTestServer({ store, env: { HOST: "::" } });
    port = server.app.listener.address.port;
    creds = credentialsClient(server.baseUrl, server.adminKey);
    tenant = await createScimTenant(server);
  });
  afterAll(() => server.close());

  const scimFrom = (from: string, token = tenant.token) => requestFrom(from, port, "/scim/v2/Users?count=1", { headers: { authorization: `Bearer ${token}` } });

  it("sets and reads the list, refusing a bad entry by name and changing nothing then", async () => {
    const id = tenant.scimConfigurationId;
    expect((await creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: ["127.0.0.2", "::1/128"] })).cidrs).toEqual(["127.0.0.2/32", "::1/128"]);
    expect(await messageOf(creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: ["127.0.0.0/8", "10.1.2.3/16"] }))).toBe(
      '[invalid_argument] cidrs[1] "10.1.2.3/16" has host bits set; the network is 10.1.0.0/16',
    );
    expect((await creds.getSCIMIPAllowlist({ scimConfigurationId: id })).cidrs).toEqual(["127.0.0.2/32", "::1/128"]);
    const member = credentialsClient(server.baseUrl, await server.key("member"));
    expect((await member.getSCIMIPAllowlist({ scimConfigurationId: id })).cidrs).toHaveLength(2);
    expect(await codeOf(member.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: [] }))).toBe("PermissionDenied");
  });

  it("admits a token from a listed IPv4 or IPv6 address and refuses it from elsewhere with a SCIM 403 naming the rule", async () => {
    await creds.setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: ["127.0.0.2/32", "::1/128"] });
    expect((await scimFrom("127.0.0.2")).status).toBe(200);
    expect((await scimFrom("::1")).status).toBe(200);
    const refused = await scimFrom("127.0.0.3");
    expect(refused.status).toBe(403);
    expect(refused.headers["content-type"]).toBe("application/scim+json");
    expect(refused.body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "403",
      detail: `Requests with this credential are accepted only from the 2 networks of the IP allowlist of SCIM configuration ${tenant.scimConfigurationId}; this request came from 127.0.0.3.`,
    });
    // The list's networks are not told to a caller outside them.
    expect(JSON.stringify(refused.body)).not.toContain("127.0.0.2");
    await creds.setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: ["127.0.0.0/30"] });
    expect((await scimFrom("::1")).status).toBe(403);
    expect((await scimFrom("127.0.0.3")).status).toBe(200);
    expect((await scimFrom("127.0.0.4")).status).toBe(403);
    // A bad token from outside is still a 401: the allowlist is about valid credentials.
    expect((await scimFrom("127.0.0.4", "scim_" + "x".repeat(46))).status).toBe(401);
    await creds.setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: [] });
    expect((await scimFrom("127.0.0.4")).status).toBe(200);
    expect((await scimFrom("::1")).status).toBe(200);
  });

  it("applies to OAuth: no token for a client outside the list, and an access token from outside is 403", async () => {
    const id = tenant.scimConfigurationId;
    const secret = await creds.createSCIMClientSecret({ scimConfigurationId: id });
    const tokenFrom = (from: string) =>
      requestFrom(from, port, "/oauth2/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret }).toString(),
      });
    const issued = await tokenFrom("127.0.0.5");
    expect(issued.status).toBe(200);
    await creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: ["::1/128"] });
    const refused = await tokenFrom("127.0.0.5");
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "unauthorized_client", error_description: expect.stringContaining("this request came from 127.0.0.5") });
    expect((await tokenFrom("::1")).status).toBe(200);
    expect((await scimFrom("127.0.0.5", issued.body.access_token)).status).toBe(403);
    expect((await scimFrom("::1", issued.body.access_token)).status).toBe(200);
    await creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: [] });
  });

  it("records refusals in the audit trail, at most one per configuration and minute, with the client address", async () => {
    const other = await createScimTenant(server);
    await creds.setSCIMIPAllowlist({ scimConfigurationId: other.scimConfigurationId, cidrs: ["::1/128"] });
    for (let i = 0; i < 3; i++) expect((await scimFrom("127.0.0.9", other.token)).status).toBe(403);
    const transport = transportFor("connect-json", server.baseUrl, server.adminKey);
    const events = createClient(EventService, transport);
    const list = await events.listAuditLogs({ filter: { subjectIds: [other.scimConfigurationId] }, pagination: { pageSize: 20 } });
    const refused = list.entries.filter((e) => e.action === "scim.request.refused.address_not_allowed");
    expect(refused).toHaveLength(1);
    const allowlistChange = list.entries.filter((e) => e.action === "scim_configuration.set_ip_allowlist");
    expect(allowlistChange).toHaveLength(1);
    const details = await createClient(AuditDetailService, transport).getAuditLogDetails({ auditLogEntryIds: [refused[0]!.id, allowlistChange[0]!.id] });
    expect(details.details.map((d) => [d.clientAddress, d.actorKind, d.changedFields])).toEqual([
      ["127.0.0.9", "scim_configuration", []],
      ["127.0.0.1", "api_key", ["ip_allowlist"]],
    ]);
  });
});
