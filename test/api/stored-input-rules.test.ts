import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, postJson } from "../support/clients.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * What is stored must be readable back: text without control characters or broken UTF-8, not
 * only white space where a value is required, https issuers (http for loopback only), and every
 * list and string capped, so no organization's list can grow past what one response carries.
 */
describe.each(STORE_KINDS)("stored input rules (%s)", (store) => {
  let server: TestServer;
  let ssoId: string;
  let scimId: string;
  const rpc = (method: string, body: unknown, query = "") => postJson(server.baseUrl, method, body, server.adminKey, query);
  const sso = (fields: Record<string, unknown>) =>
    rpc("CreateSSOConfiguration", { organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com", ...fields });

  beforeAll(async () => {
    server = await startTestServer({ store });
    ssoId = (await sso({})).json.ssoConfiguration.id;
    scimId = (await rpc("CreateSCIMConfiguration", { organizationId: server.organizationId, ssoConfigurationId: ssoId, name: "kept" })).json.scimConfiguration.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  async function expectInvalid(res: { status: number; json: any }, message: string): Promise<void> {
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    expect(res.json).toEqual({ code: "invalid_argument", message });
  }

  it("names of only white space, or with NUL and other control characters, are refused naming the field", async () => {
    await expectInvalid(await rpc("UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "   " }), "name must not be only white space");
    await expectInvalid(await rpc("UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "a\u0000b" }), "name must not contain control characters (found U+0000 at character 2)");
    await expectInvalid(await rpc("UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "a\u0085" }), "name must not contain control characters (found U+0085 at character 2)");
    await expectInvalid(await sso({ displayName: "Okta\u001b[31m" }), "display_name must not contain control characters (found U+001B at character 5)");
    await expectInvalid(await sso({ clientId: "a\tb" }), "client_id must not contain control characters (found U+0009 at character 2)");
    await expectInvalid(await sso({ clientId: "   " }), "client_id must not be only white space");
    await expectInvalid(await sso({ claimsExpression: "  " }), "claims_expression must not be only white space");
    expect((await sso({ claimsExpression: "claims.email_verified &&\n\tclaims.hd == 'example.com'" })).status).toBe(200);
    await expectInvalid(
      await rpc("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, claims: { team: "a\u0007" } }),
      'claims["team"] must not contain control characters (found U+0007 at character 2)',
    );
    await expectInvalid(await sso({ additionalScopes: ["openid profile"] }), "additional_scopes[0] must not contain white space (send each scope as its own item)");
    const after = await rpc("GetSCIMConfiguration", { scimConfigurationId: scimId });
    expect(after.json.scimConfiguration.name).toBe("kept");
  });

  it("invalid UTF-8 is refused: a lone surrogate in JSON, undecodable bytes in binary", async () => {
    const json = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/UpdateSCIMConfiguration`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      body: `{"scimConfigurationId": "${scimId}", "name": "a\\ud800"}`,
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { message: string }).message).toMatch(/^name must be valid UTF-8 text/);

    // UpdateSCIMConfigurationRequest by hand: field 1 (the id), field 2 (name) holding byte 0xff.
    const id = Buffer.from(scimId);
    const body = Buffer.concat([Buffer.from([0x0a, id.length]), id, Buffer.from([0x12, 2, 0x61, 0xff])]);
    const binary = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/UpdateSCIMConfiguration`, {
      method: "POST",
      headers: { "content-type": "application/proto", authorization: `Bearer ${server.adminKey}` },
      body,
    });
    expect(binary.status).toBe(400);
    expect(binary.headers.get("content-type")).toMatch(/json/);
    // protobuf-es refuses it while parsing (the domain rule also refuses U+FFFD, should a decoder substitute it).
    expect(await binary.json()).toEqual({ code: "invalid_argument", message: "request body is not a valid protobuf message (The encoded data was not valid for encoding utf-8)" });
  });

  it("http:// issuers only for loopback hosts", async () => {
    await expectInvalid(await sso({ issuerUrl: "http://idp.example.com" }), "issuer_url must be an https URI (http only for localhost, 127.0.0.0/8 or [::1])");
    await expectInvalid(await rpc("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, issuerUrl: "http://10.0.0.1/" }), "issuer_url must be an https URI (http only for localhost, 127.0.0.0/8 or [::1])");
    for (const issuerUrl of ["http://localhost:8080/realms/dev", "http://127.0.0.5", "http://[::1]:9000"]) {
      expect((await sso({ issuerUrl })).status, issuerUrl).toBe(200);
    }
  });

  it("list fields and strings are capped", async () => {
    const domains = Array.from({ length: 101 }, (_, i) => `d${i}.example.com`);
    await expectInvalid(await sso({ emailDomains: domains }), "email_domains must have at most 100 items (got 101)");
    const claims = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, "v"]));
    await expectInvalid(await rpc("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, claims }), "claims must have at most 100 entries (got 101)");
    const bigClaims = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "v".repeat(1000)]));
    await expectInvalid(await rpc("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, claims: bigClaims }), "claims keys and values together must be at most 16384 characters (got 20050)");
    await expectInvalid(await sso({ clientId: "c".repeat(257) }), "client_id must be at most 256 characters");
    await expectInvalid(await sso({ issuerUrl: `https://idp.example.com/${"p".repeat(1001)}` }), "issuer_url must be at most 1024 characters");
  });

  it("a page of the largest SSO configurations still fits one response: it is cut short with a next token", async () => {
    const org = crypto.randomUUID();
    const key = await server.key("admin", org);
    const client = clientFor("connect-json", server.baseUrl, key);
    // Each about 58 KB: 100 long domains, 100 long scopes, 16 KiB of claims, a 4 KiB expression.
    const largest = {
      organizationId: org,
      clientId: "c",
      clientSecret: "s",
      issuerUrl: "https://idp.example.com",
      emailDomains: Array.from({ length: 100 }, (_, i) => `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.d${i}.example.com`),
      additionalScopes: Array.from({ length: 100 }, (_, i) => `${"s".repeat(120)}${i}`),
      claimsExpression: "x".repeat(4096),
    };
    const count = 80;
    for (let i = 0; i < count; i++) {
      const created = await client.createSSOConfiguration(largest);
      await client.updateSSOConfiguration({
        ssoConfigurationId: created.ssoConfiguration!.id,
        claims: Object.fromEntries(Array.from({ length: 16 }, (_, j) => [`claim${j}`, "v".repeat(1000)])),
      });
    }
    const seen = new Set<string>();
    let token = "";
    let pages = 0;
    do {
      const page = await client.listSSOConfigurations({ organizationId: org, pagination: { pageSize: 100, token } });
      page.ssoConfigurations.forEach((c) => seen.add(c.id));
      token = page.pagination!.nextToken;
      pages++;
    } while (token !== "" && pages < 20);
    expect(seen.size).toBe(count);
    expect(pages).toBeGreaterThan(1);
  }, 60_000);
});
