import { randomUUID } from "node:crypto";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { clientFor, postJson } from "../support/clients.js";
import { startTestServer, STORE_KINDS, TEST_AUDIT, type TestServer } from "../support/test-server.js";

type OrgClient = Client<typeof OrganizationService>;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return Code[ConnectError.from(err).code];
  }
}

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err).rawMessage;
  }
  throw new Error("expected the call to fail");
}

const sec = (n: number) => ({ seconds: BigInt(n), nanos: 0 });

describe.each(STORE_KINDS)("OrganizationService (%s store)", (store) => {
  let server: TestServer;
  let admin: OrgClient;
  let ssoId: string;

  beforeAll(async () => {
    server = await startTestServer({ store });
    admin = clientFor("connect-json", server.baseUrl, server.adminKey);
  });
  afterAll(async () => {
    await server.close();
  });

  const newSso = async (client: OrgClient = admin, organizationId = server.organizationId) =>
    (
      await client.createSSOConfiguration({
        organizationId,
        clientId: "client-id",
        clientSecret: "client-secret-value",
        issuerUrl: "https://accounts.example.com",
      })
    ).ssoConfiguration!.id;

  beforeAll(async () => {
    ssoId = await newSso();
  });

  describe("SCIM configuration lifecycle", () => {
    it("creates with a 90-day token, returns the token once, and never again", async () => {
      const before = Date.now();
      const created = await admin.createSCIMConfiguration({
        organizationId: server.organizationId,
        ssoConfigurationId: ssoId,
        name: "Okta",
        tokenExpiresIn: sec(7_776_000),
      });
      expect(created.token).toMatch(/^scim_[0-9A-Za-z]{46}$/);
      const cfg = created.scimConfiguration!;
      expect(cfg).toMatchObject({ organizationId: server.organizationId, ssoConfigurationId: ssoId, name: "Okta", enabled: true });
      const expires = Number(created.tokenExpiresAt!.seconds) * 1000;
      expect(expires - before).toBeGreaterThanOrEqual(7_776_000_000 - 1000);
      expect(expires - Date.now()).toBeLessThanOrEqual(7_776_000_000 + 1000);
      expect(cfg.tokenExpiresAt).toEqual(created.tokenExpiresAt);

      const got = await postJson(server.baseUrl, "GetSCIMConfiguration", { scimConfigurationId: cfg.id }, server.adminKey);
      expect(got.status).toBe(200);
      expect(JSON.stringify(got.json)).not.toContain(created.token);
      expect(Object.keys(got.json.scimConfiguration).sort()).toEqual(
        ["allowUnverifiedEmailAccountLinking", "createdAt", "enabled", "id", "name", "organizationId", "ssoConfigurationId", "tokenExpiresAt", "updatedAt"].sort(),
      );
      const listed = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, server.adminKey);
      expect(JSON.stringify(listed.json)).not.toContain(created.token);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: cfg.id });
    });

    it("defaults to a one-year token, enabled, empty name; update changes only given fields", async () => {
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId });
      const cfg = created.scimConfiguration!;
      const lifetime = Number(cfg.tokenExpiresAt!.seconds - cfg.createdAt!.seconds);
      expect(lifetime).toBe(365 * 86400);
      expect(cfg.name).toBe("");
      expect(cfg.enabled).toBe(true);

      await new Promise((r) => setTimeout(r, 5));
      const updated = (await admin.updateSCIMConfiguration({ scimConfigurationId: cfg.id, enabled: false, allowUnverifiedEmailAccountLinking: true }))
        .scimConfiguration!;
      expect(updated).toMatchObject({ name: "", enabled: false, allowUnverifiedEmailAccountLinking: true, ssoConfigurationId: ssoId });
      expect(updated.tokenExpiresAt).toEqual(cfg.tokenExpiresAt);
      const toMs = (t: { seconds: bigint; nanos: number }) => Number(t.seconds) * 1000 + t.nanos / 1e6;
      expect(toMs(updated.updatedAt!)).toBeGreaterThan(toMs(cfg.updatedAt!));
      const renamed = (await admin.updateSCIMConfiguration({ scimConfigurationId: cfg.id, name: "Entra" })).scimConfiguration!;
      expect(renamed).toMatchObject({ name: "Entra", enabled: false, allowUnverifiedEmailAccountLinking: true });

      // One JSON shape everywhere: enabled=false is present in Get as in List (and Create, Update).
      const json = await postJson(server.baseUrl, "GetSCIMConfiguration", { scimConfigurationId: cfg.id }, server.adminKey);
      expect(json.json.scimConfiguration.enabled).toBe(false);
      const listed = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, server.adminKey);
      expect(Object.keys(listed.json.scimConfigurations.find((c: { id: string }) => c.id === cfg.id)).sort()).toEqual(Object.keys(json.json.scimConfiguration).sort());
      await admin.deleteSCIMConfiguration({ scimConfigurationId: cfg.id });
    });

    it("regenerates: new token and expiry, same lifetime when none is given, 180 days when asked", async () => {
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId, tokenExpiresIn: sec(7_776_000) });
      const id = created.scimConfiguration!.id;
      const same = await admin.regenerateSCIMToken({ scimConfigurationId: id });
      expect(same.token).not.toBe(created.token);
      const now = Date.now() / 1000;
      expect(Math.abs(Number(same.tokenExpiresAt!.seconds) - (now + 7_776_000))).toBeLessThan(5);
      const longer = await admin.regenerateSCIMToken({ scimConfigurationId: id, tokenExpiresIn: sec(15_552_000) });
      expect(Math.abs(Number(longer.tokenExpiresAt!.seconds) - (now + 15_552_000))).toBeLessThan(5);
      const after = await admin.getSCIMConfiguration({ scimConfigurationId: id });
      expect(after.scimConfiguration!.tokenExpiresAt).toEqual(longer.tokenExpiresAt);
      // And the lifetime sticks: regenerate again without one keeps 180 days.
      const again = await admin.regenerateSCIMToken({ scimConfigurationId: id });
      expect(Math.abs(Number(again.tokenExpiresAt!.seconds) - (Date.now() / 1000 + 15_552_000))).toBeLessThan(5);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: id });
      expect(await codeOf(admin.getSCIMConfiguration({ scimConfigurationId: id }))).toBe("NotFound");
      expect(await codeOf(admin.deleteSCIMConfiguration({ scimConfigurationId: id }))).toBe("NotFound");
      expect(await codeOf(admin.regenerateSCIMToken({ scimConfigurationId: id }))).toBe("NotFound");
    });

    it("50 concurrent regenerations leave exactly one of the 50 returned tokens valid", async () => {
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId });
      const id = created.scimConfiguration!.id;
      const results = await Promise.all(Array.from({ length: 50 }, () => admin.regenerateSCIMToken({ scimConfigurationId: id })));
      const tokens = results.map((r) => r.token);
      expect(new Set(tokens).size).toBe(50);
      const verdicts = await Promise.all([created.token, ...tokens].map((t) => server.app.scimTokens.verify(t)));
      const valid = verdicts.filter((v) => v.ok);
      expect(valid).toHaveLength(1);
      expect(verdicts[0]!.ok).toBe(false);
      const stored = await admin.getSCIMConfiguration({ scimConfigurationId: id });
      const winner = results[verdicts.slice(1).findIndex((v) => v.ok)]!;
      expect(stored.scimConfiguration!.tokenExpiresAt).toEqual(winner.tokenExpiresAt);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: id });
    });

    it("allows one SCIM configuration per SSO configuration, and relinking checks it", async () => {
      const first = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId });
      expect(await codeOf(admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId }))).toBe("AlreadyExists");
      const otherSso = await newSso();
      const second = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: otherSso });
      expect(
        await codeOf(admin.updateSCIMConfiguration({ scimConfigurationId: second.scimConfiguration!.id, ssoConfigurationId: ssoId })),
      ).toBe("AlreadyExists");
      expect(await codeOf(admin.deleteSSOConfiguration({ ssoConfigurationId: ssoId }))).toBe("FailedPrecondition");
      expect((await admin.getSSOConfiguration({ ssoConfigurationId: ssoId })).ssoConfiguration!.id).toBe(ssoId);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: first.scimConfiguration!.id });
      await admin.deleteSCIMConfiguration({ scimConfigurationId: second.scimConfiguration!.id });
      await admin.deleteSSOConfiguration({ ssoConfigurationId: otherSso });
      expect(await codeOf(admin.getSSOConfiguration({ ssoConfigurationId: otherSso }))).toBe("NotFound");
    });

    it("refuses an SSO configuration that does not exist or belongs to another organization", async () => {
      expect(await codeOf(admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: randomUUID() }))).toBe("NotFound");
      const otherOrg = randomUUID();
      const otherAdmin = clientFor("connect-json", server.baseUrl, await server.key("admin", otherOrg));
      const foreignSso = await newSso(otherAdmin, otherOrg);
      expect(await codeOf(admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: foreignSso }))).toBe("NotFound");
    });
  });

  describe("validation at the boundaries", () => {
    const create = (over: Record<string, unknown>) =>
      postJson(server.baseUrl, "CreateSCIMConfiguration", { organizationId: server.organizationId, ssoConfigurationId: ssoId, ...over }, server.adminKey);

    it.each([
      ["86399s", 400, "token_expires_in must be between 1 day and 2 years"],
      ["86400s", 200, undefined],
      ["63072000s", 200, undefined],
      ["63072001s", 400, "token_expires_in must be between 1 day and 2 years"],
      ["86400.5s", 400, "token_expires_in must be between 1 day and 2 years"],
    ])("token_expires_in %s answers %i", async (value, status, message) => {
      const res = await create({ tokenExpiresIn: value });
      expect(res.status).toBe(status);
      if (message) {
        expect(res.json.code).toBe("invalid_argument");
        expect(res.json.message).toContain(message);
      } else {
        await admin.deleteSCIMConfiguration({ scimConfigurationId: res.json.scimConfiguration.id });
      }
    });

    it("applies the lifetime rule to regenerate too, changing nothing on refusal", async () => {
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId });
      const id = created.scimConfiguration!.id;
      for (const bad of ["86399s", "63072001s"]) {
        const res = await postJson(server.baseUrl, "RegenerateSCIMToken", { scimConfigurationId: id, tokenExpiresIn: bad }, server.adminKey);
        expect(res.status).toBe(400);
        expect(res.json.message).toMatch(/^token_expires_in must be between 1 day and 2 years/);
      }
      expect((await server.app.scimTokens.verify(created.token)).ok).toBe(true);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: id });
    });

    it("name: 128 characters pass, 129 fail (counted in characters, not bytes)", async () => {
      const ok = await create({ name: "é".repeat(128) });
      expect(ok.status).toBe(200);
      const bad = await postJson(server.baseUrl, "UpdateSCIMConfiguration", { scimConfigurationId: ok.json.scimConfiguration.id, name: "x".repeat(129) }, server.adminKey);
      expect(bad.status).toBe(400);
      expect(bad.json.message).toBe("name must be at most 128 characters");
      const tooLong = await create({ name: "x".repeat(129) });
      expect(tooLong.json.message).toBe("name must be at most 128 characters");
      await admin.deleteSCIMConfiguration({ scimConfigurationId: ok.json.scimConfiguration.id });
    });

    it.each([
      ["CreateSCIMConfiguration", "organization_id must be a UUID", { organizationId: "nope", ssoConfigurationId: randomUUID() }],
      ["CreateSCIMConfiguration", "organization_id is required", { ssoConfigurationId: randomUUID() }],
      ["CreateSCIMConfiguration", "sso_configuration_id is required", { organizationId: randomUUID() }],
      ["CreateSCIMConfiguration", "sso_configuration_id must be a UUID", { organizationId: randomUUID(), ssoConfigurationId: "x" }],
      ["GetSCIMConfiguration", "scim_configuration_id is required", {}],
      ["GetSCIMConfiguration", "scim_configuration_id must be a UUID", { scimConfigurationId: "123" }],
      ["UpdateSCIMConfiguration", "sso_configuration_id must be a UUID", { scimConfigurationId: randomUUID(), ssoConfigurationId: "x" }],
      ["DeleteSCIMConfiguration", "scim_configuration_id is required", { scimConfigurationId: "" }],
      ["RegenerateSCIMToken", "scim_configuration_id must be a UUID", { scimConfigurationId: "zzz" }],
      ["ListSCIMConfigurations", "pagination.page_size must be between 0 and 100", { pagination: { pageSize: 101 } }],
      ["ListSCIMConfigurations", "pagination.page_size must be between 0 and 100", { pagination: { pageSize: -1 } }],
      ["ListSCIMConfigurations", "pagination.token is not a page token returned by this service", { pagination: { token: "garbage" } }],
      ["CreateSSOConfiguration", "client_id is required", { organizationId: randomUUID(), clientSecret: "s", issuerUrl: "https://x.example.com" }],
      ["CreateSSOConfiguration", "client_secret is required", { organizationId: randomUUID(), clientId: "c", issuerUrl: "https://x.example.com" }],
      ["CreateSSOConfiguration", "issuer_url must be an absolute URI", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "not a url" }],
      ["CreateSSOConfiguration", "email_domain must be at least 4 characters", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", emailDomain: "a.b" }],
      ["CreateSSOConfiguration", 'email_domains must not repeat "example.com"', { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", emailDomains: ["example.com", "EXAMPLE.com"] }],
      ["CreateSSOConfiguration", "email_domains[0] must be a domain name", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", emailDomains: ["not a domain"] }],
      ["CreateSSOConfiguration", "display_name must be at most 128 characters", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", displayName: "d".repeat(129) }],
      ["CreateSSOConfiguration", "additional_scopes[0] must be between 1 and 128 characters", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", additionalScopes: [""] }],
      ["CreateSSOConfiguration", "additional_scopes must have at most 100 items (got 101)", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", additionalScopes: Array(101).fill("s") }],
      ["CreateSSOConfiguration", "claims_expression must be at most 4096 characters", { organizationId: randomUUID(), clientId: "c", clientSecret: "s", issuerUrl: "https://x.example.com", claimsExpression: "c".repeat(4097) }],
      ["ListSSOConfigurations", "organization_id is required", {}],
      ["UpdateSSOConfiguration", "state must be SSO_CONFIGURATION_STATE_INACTIVE or SSO_CONFIGURATION_STATE_ACTIVE", { ssoConfigurationId: randomUUID(), state: "SSO_CONFIGURATION_STATE_UNSPECIFIED" }],
    ])("%s answers invalid_argument: %s", async (method, message, body) => {
      const res = await postJson(server.baseUrl, method, body, server.adminKey);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ code: "invalid_argument", message });
    });

    it("edge limits pass: 128-char display name, 100 scopes of 128, 4096-char claims expression", async () => {
      const res = await postJson(
        server.baseUrl,
        "CreateSSOConfiguration",
        {
          organizationId: server.organizationId,
          clientId: "c",
          clientSecret: "s",
          issuerUrl: "https://x.example.com",
          displayName: "d".repeat(128),
          additionalScopes: Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(128, "s")),
          claimsExpression: "c".repeat(4096),
          emailDomain: "a.io",
        },
        server.adminKey,
      );
      expect(res.status).toBe(200);
      expect(res.json.ssoConfiguration.clientSecret).toBeUndefined();
      expect(JSON.stringify(res.json)).not.toContain('"s"');
      await admin.deleteSSOConfiguration({ ssoConfigurationId: res.json.ssoConfiguration.id });
    });

    it("malformed bodies answer invalid_argument and unknown methods unimplemented", async () => {
      const bad = await postJson(server.baseUrl, "CreateSCIMConfiguration", "{not json", server.adminKey);
      expect(bad.status).toBe(400);
      expect(bad.json.code).toBe("invalid_argument");
      const wrongType = await postJson(server.baseUrl, "CreateSCIMConfiguration", { organizationId: 5 }, server.adminKey);
      expect(wrongType.json.code).toBe("invalid_argument");
      const proto = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/GetSCIMConfiguration`, {
        method: "POST",
        headers: { "content-type": "application/proto", authorization: `Bearer ${server.adminKey}` },
        body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      });
      expect(proto.status).toBe(400);
      const unknown = await postJson(server.baseUrl, "DoesNotExist", {}, server.adminKey);
      expect(unknown.status).toBe(501);
      expect(unknown.json.code).toBe("unimplemented");
      // Explicit nulls read as absent (Python SDKs send None as null).
      const nulls = await create({ name: null, tokenExpiresIn: null, allowUnverifiedEmailAccountLinking: null });
      expect(nulls.status).toBe(200);
      await admin.deleteSCIMConfiguration({ scimConfigurationId: nulls.json.scimConfiguration.id });
    });
  });

  describe("who may call", () => {
    it("missing, malformed, unknown and revoked keys are unauthenticated", async () => {
      expect((await postJson(server.baseUrl, "ListSCIMConfigurations", {})).json.code).toBe("unauthenticated");
      expect((await postJson(server.baseUrl, "ListSCIMConfigurations", {}, "scimadm_typo")).json.code).toBe("unauthenticated");
      expect((await postJson(server.baseUrl, "ListSCIMConfigurations", {}, "x".repeat(40))).json.code).toBe("unauthenticated");
      const { key, record } = await server.app.apiKeys.issue(server.organizationId, "admin", "to revoke", TEST_AUDIT);
      expect((await postJson(server.baseUrl, "ListSCIMConfigurations", {}, key)).status).toBe(200);
      await server.app.apiKeys.revoke(record.id, TEST_AUDIT);
      const revoked = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, key);
      expect(revoked.status).toBe(401);
      expect(revoked.json).toEqual({ code: "unauthenticated", message: "the API key has been revoked" });
    });

    it("a SCIM token is not a management key", async () => {
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: await newSso() });
      const res = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, created.token);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("unauthenticated");
    });

    it("member keys read but every write is permission_denied and changes nothing", async () => {
      const member = clientFor("connect-json", server.baseUrl, await server.key("member"));
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: await newSso() });
      const id = created.scimConfiguration!.id;
      expect(await codeOf(member.getSCIMConfiguration({ scimConfigurationId: id }))).toBe("ok");
      expect(await codeOf(member.listSCIMConfigurations({}))).toBe("ok");
      expect(await codeOf(member.listSSOConfigurations({ organizationId: server.organizationId }))).toBe("ok");
      expect(await codeOf(member.updateSCIMConfiguration({ scimConfigurationId: id, enabled: false }))).toBe("PermissionDenied");
      expect(await codeOf(member.regenerateSCIMToken({ scimConfigurationId: id }))).toBe("PermissionDenied");
      expect(await codeOf(member.deleteSCIMConfiguration({ scimConfigurationId: id }))).toBe("PermissionDenied");
      expect(await codeOf(member.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: randomUUID() }))).toBe("PermissionDenied");
      expect(await codeOf(member.createSSOConfiguration({ organizationId: server.organizationId }))).toBe("PermissionDenied");
      expect(await codeOf(member.deleteSSOConfiguration({ ssoConfigurationId: randomUUID() }))).toBe("PermissionDenied");
      const after = await admin.getSCIMConfiguration({ scimConfigurationId: id });
      expect(after.scimConfiguration).toEqual(created.scimConfiguration);
      expect((await server.app.scimTokens.verify(created.token)).ok).toBe(true);
    });

    it("another organization's resources are not_found; naming another organization is permission_denied", async () => {
      const otherOrg = randomUUID();
      const other = clientFor("connect-json", server.baseUrl, await server.key("admin", otherOrg));
      const created = await admin.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: await newSso() });
      const id = created.scimConfiguration!.id;
      expect(await codeOf(other.getSCIMConfiguration({ scimConfigurationId: id }))).toBe("NotFound");
      expect(await codeOf(other.updateSCIMConfiguration({ scimConfigurationId: id, enabled: false }))).toBe("NotFound");
      expect(await codeOf(other.regenerateSCIMToken({ scimConfigurationId: id }))).toBe("NotFound");
      expect(await codeOf(other.deleteSCIMConfiguration({ scimConfigurationId: id }))).toBe("NotFound");
      expect(await codeOf(other.getSSOConfiguration({ ssoConfigurationId: ssoId }))).toBe("NotFound");
      expect((await other.listSCIMConfigurations({})).scimConfigurations).toEqual([]);
      expect(await codeOf(other.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId }))).toBe("PermissionDenied");
      expect(await codeOf(other.listSSOConfigurations({ organizationId: server.organizationId }))).toBe("PermissionDenied");
      expect(await messageOf(other.createSSOConfiguration({ organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://a.example.com" }))).toBe(
        "organization_id must be the organization of the calling API key",
      );
      expect((await server.app.scimTokens.verify(created.token)).ok).toBe(true);
    });
  });

  describe("pagination", () => {
    it("pages through 60 configurations with pageSize 25 via query tokens, each exactly once", async () => {
      const org = randomUUID();
      const key = await server.key("admin", org);
      const client = clientFor("connect-json", server.baseUrl, key);
      const created = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const sso = await newSso(client, org);
        created.add((await client.createSCIMConfiguration({ organizationId: org, ssoConfigurationId: sso, name: `cfg ${i}` })).scimConfiguration!.id);
      }
      // As the SDKs auto-page: the same body every time, the cursor only in the query.
      const body = { pagination: { pageSize: 25 } };
      const seen: string[] = [];
      const sizes: number[] = [];
      let query = "?pageSize=25";
      for (let guard = 0; guard < 10; guard++) {
        const res = await postJson(server.baseUrl, "ListSCIMConfigurations", body, key, query);
        expect(res.status).toBe(200);
        sizes.push(res.json.scimConfigurations.length);
        seen.push(...res.json.scimConfigurations.map((c: { id: string }) => c.id));
        if (res.json.pagination.nextToken === "") break;
        query = `?token=${encodeURIComponent(res.json.pagination.nextToken)}&pageSize=25`;
      }
      expect(sizes).toEqual([25, 25, 10]);
      expect(seen).toHaveLength(60);
      expect(new Set(seen)).toEqual(created);
    });

    it("default page is 25, 100 is allowed, the query wins over the body", async () => {
      const org = randomUUID();
      const key = await server.key("admin", org);
      const client = clientFor("connect-json", server.baseUrl, key);
      for (let i = 0; i < 30; i++) await client.createSCIMConfiguration({ organizationId: org, ssoConfigurationId: await newSso(client, org) });
      expect((await client.listSCIMConfigurations({})).scimConfigurations).toHaveLength(25);
      expect((await client.listSCIMConfigurations({ pagination: { pageSize: 100 } })).scimConfigurations).toHaveLength(30);
      const res = await postJson(server.baseUrl, "ListSCIMConfigurations", { pagination: { pageSize: 100 } }, key, "?pageSize=3");
      expect(res.json.scimConfigurations).toHaveLength(3);
      const over = await postJson(server.baseUrl, "ListSCIMConfigurations", { pagination: { pageSize: 5 } }, key, "?pageSize=101");
      expect(over.json.message).toBe("pagination.page_size must be between 0 and 100");
      const sso = await client.listSSOConfigurations({ organizationId: org, pagination: { pageSize: 7 } });
      expect(sso.ssoConfigurations).toHaveLength(7);
      expect(sso.pagination!.nextToken).not.toBe("");
      const empty = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, await server.key("member", randomUUID()));
      expect(empty.json).toEqual({ pagination: { nextToken: "" }, scimConfigurations: [] });
    });
  });
});
