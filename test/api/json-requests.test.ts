import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "../support/clients.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Connect JSON requests are checked field by field before protobuf-es parses them: each mistake
 * answers invalid_argument naming the field path (snake_case) and the rule, and changes nothing.
 */
describe.each(STORE_KINDS)("Connect JSON requests name the field and the rule (%s)", (store) => {
  let server: TestServer;
  let ssoId: string;
  let scimId: string;
  const rpc = (method: string, body: unknown, query = "") => postJson(server.baseUrl, method, body, server.adminKey, query);

  beforeAll(async () => {
    server = await startTestServer({ store });
    const sso = await rpc("CreateSSOConfiguration", { organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" });
    ssoId = sso.json.ssoConfiguration.id;
    const scim = await rpc("CreateSCIMConfiguration", { organizationId: server.organizationId, ssoConfigurationId: ssoId, name: "before" });
    scimId = scim.json.scimConfiguration.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  async function expectInvalid(method: string, body: unknown, message: string | RegExp, query = ""): Promise<void> {
    const res = await rpc(method, body, query);
    expect(res.status, JSON.stringify(res.json)).toBe(400);
    expect(res.json.code).toBe("invalid_argument");
    if (typeof message === "string") expect(res.json.message).toBe(message);
    else expect(res.json.message).toMatch(message);
  }

  it("refuses a misspelled field on a write, says the closest and the known fields, and changes nothing", async () => {
    await expectInvalid(
      "UpdateSCIMConfiguration",
      { scimConfigurationId: scimId, enabeld: false, name: "after" },
      'unknown field "enabeld" in UpdateSCIMConfigurationRequest; did you mean "enabled"? (known fields: scimConfigurationId, name, enabled, ssoConfigurationId, allowUnverifiedEmailAccountLinking)',
    );
    const after = await rpc("GetSCIMConfiguration", { scimConfigurationId: scimId });
    expect(after.json.scimConfiguration).toMatchObject({ name: "before", enabled: true });
  });

  it("refuses unknown fields on reads too, nested ones with their path", async () => {
    await expectInvalid("ListSCIMConfigurations", { pagination: { pageSiz: 5 } }, /^unknown field "pageSiz" in pagination \(a PaginationRequest\); did you mean "pageSize"\?/);
  });

  it("refuses an unknown enum name or number, listing the allowed names", async () => {
    const names = "SSO_CONFIGURATION_STATE_UNSPECIFIED, SSO_CONFIGURATION_STATE_INACTIVE, SSO_CONFIGURATION_STATE_ACTIVE";
    await expectInvalid(
      "UpdateSSOConfiguration",
      { ssoConfigurationId: ssoId, state: "SSO_CONFIGURATION_STATE_INACTIV" },
      `state must be one of ${names} (got "SSO_CONFIGURATION_STATE_INACTIV"); did you mean "SSO_CONFIGURATION_STATE_INACTIVE"?`,
    );
    await expectInvalid("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, state: 7 }, `state must be one of ${names} (got 7)`);
  });

  it("says the expected type: booleans, whole numbers, lists, maps", async () => {
    await expectInvalid("UpdateSCIMConfiguration", { scimConfigurationId: scimId, enabled: "yes" }, 'enabled must be true or false (got "yes")');
    await expectInvalid("ListSCIMConfigurations", { pagination: { pageSize: "abc" } }, 'pagination.page_size must be a whole number (got "abc")');
    await expectInvalid("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, emailDomains: "example.com" }, 'email_domains must be a list (a JSON array) (got "example.com")');
    await expectInvalid("UpdateSSOConfiguration", { ssoConfigurationId: ssoId, claims: { team: 5 } }, 'claims["team"] must be a string (got 5)');
  });

  it("?pageSize=abc is not a number, which is another mistake than ?pageSize=500", async () => {
    await expectInvalid("ListSCIMConfigurations", {}, 'pagination.page_size must be a whole number (got "abc")', "?pageSize=abc");
    await expectInvalid("ListSCIMConfigurations", {}, "pagination.page_size must be between 0 and 100", "?pageSize=500");
  });

  it.each([["abc"], ["1d"], [86400]])("names the Duration form for tokenExpiresIn %j", async (value) => {
    await expectInvalid(
      "RegenerateSCIMToken",
      { scimConfigurationId: scimId, tokenExpiresIn: value },
      `token_expires_in must be a duration in seconds like "86400s" (got ${JSON.stringify(value)})`,
    );
  });

  it("says what an empty, non-object or broken body should be", async () => {
    await expectInvalid("ListSCIMConfigurations", "", "the request body is empty: send a JSON object, at least {}");
    await expectInvalid("ListSCIMConfigurations", "[]", "the request body must be a JSON object, at least {} (got a list)");
    await expectInvalid("ListSCIMConfigurations", '{\n  "pagination": {"pageSize": 5,}\n}', /^the request body is not valid JSON: expected a property name in double quotes at line 2, column 32 \(position 33\)$/);
  });

  it("takes an explicit null as an absent field (the Python SDK sends None as null)", async () => {
    const res = await rpc("UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: null, enabled: null, ssoConfigurationId: null });
    expect(res.status).toBe(200);
    expect(res.json.scimConfiguration.name).toBe("before");
  });

  it("checks a gzip-compressed body after decompressing it, and a Connect GET's message", async () => {
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${server.adminKey}` },
      body: gzipSync(JSON.stringify({ paginaton: {} })),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^unknown field "paginaton" in ListSCIMConfigurationsRequest; did you mean "pagination"\?/);

    const ok = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${server.adminKey}` },
      body: gzipSync(JSON.stringify({ pagination: { pageSize: 1 } })),
    });
    expect(ok.status).toBe(200);

    const message = encodeURIComponent(JSON.stringify({ pagination: { pageSize: true } }));
    const get = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations?encoding=json&message=${message}`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect(get.status).toBe(400);
    expect(((await get.json()) as { message: string }).message).toBe("pagination.page_size must be a whole number (got true)");
  });
});
