import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor } from "../support/clients.js";
import { codeOf, credentialsClient, messageOf, seconds, type CredentialsClient } from "../support/credentials-client.js";
import { ManualClock } from "../support/manual-clock.js";
import { rawRequest } from "../support/raw-http.js";
import { scimStatus } from "../support/scim-access.js";
import { createScimTenant, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, STORE_KINDS, type TestServer } from "../support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** POST /oauth2/token: RFC 6749 §4.4 client credentials, every §5.2 error, and the tokens' life. */
describe.each(STORE_KINDS)("OAuth 2.0 client credentials (%s)", (store) => {
  let server: TestServer;
  let clock: ManualClock;
  let creds: CredentialsClient;
  let tenant: ScimTenant;
  let clientId: string;
  let clientSecret: string;
  beforeAll(async () => {
    clock = new ManualClock(new Date("2026-06-01T00:00:00Z"));
    server = await startTestServer({ store, clock, env: { AUTH_FAILURES_PER_MINUTE: "1000" } });
    creds = credentialsClient(server.baseUrl, server.adminKey);
    tenant = await createScimTenant(server);
    const created = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
    ({ clientId, clientSecret } = created);
  });
  afterAll(() => server.close());

  const token = async (body: Record<string, string> | string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.baseUrl}/oauth2/token`, {
      method: "POST",
      headers: { ...FORM, ...headers },
      body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
  };
  const grant = { grant_type: "client_credentials" };

  it("creates a client secret shown once, with the client id and the token endpoint", async () => {
    const created = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretExpiresIn: seconds(86400 * 30) });
    expect(created.clientId).toBe(tenant.scimConfigurationId);
    expect(created.clientSecret).toMatch(/^scimcs_[0-9A-Za-z]{46}$/);
    expect(created.tokenEndpointPath).toBe("/oauth2/token");
    expect(created.secret!.prefix).toBe(created.clientSecret.slice(0, 11));
    const listed = await creds.listSCIMClientSecrets({ scimConfigurationId: tenant.scimConfigurationId });
    expect(listed.clientId).toBe(tenant.scimConfigurationId);
    expect(listed.secrets.map((s) => s.id)).toContain(created.secret!.id);
    expect(listed.secrets.find((s) => s.id === created.secret!.id)).toMatchObject({ prefix: created.clientSecret.slice(0, 11) });
    await creds.revokeSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretId: created.secret!.id });
  });

  it("issues a Bearer access token by HTTP Basic or by the body, no-store, that /scim/v2 takes", async () => {
    const viaBasic = await token(grant, { authorization: basic(clientId, clientSecret) });
    expect(viaBasic.status).toBe(200);
    expect(viaBasic.headers.get("cache-control")).toBe("no-store");
    expect(viaBasic.headers.get("pragma")).toBe("no-cache");
    expect(viaBasic.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(viaBasic.body).toEqual({ access_token: expect.stringMatching(/^scimat_/), token_type: "Bearer", expires_in: 3600 });
    const viaBody = await token({ ...grant, client_id: clientId, client_secret: clientSecret, scope: "scim" });
    expect(viaBody.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "scim" });
    expect(viaBody.body.access_token).not.toBe(viaBasic.body.access_token);
    for (const access of [viaBasic.body.access_token, viaBody.body.access_token]) {
      const res = await fetch(`${server.baseUrl}/scim/v2/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${access}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ userName: `oauth-${access.slice(-6)}@example.com` }),
      });
      expect(res.status).toBe(201);
    }
    // An access token is no management key, and a SCIM token is no client secret.
    expect(await codeOf(clientFor("connect-json", server.baseUrl, viaBasic.body.access_token).listSCIMConfigurations({}))).toBe("Unauthenticated");
    expect((await token({ ...grant, client_id: clientId, client_secret: tenant.token })).status).toBe(401);
  });

  it.each([
    ["no grant_type", {}, 400, "invalid_request"],
    ["another grant type", { grant_type: "password", username: "u", password: "p" }, 400, "unsupported_grant_type"],
    ["authorization_code", { grant_type: "authorization_code", code: "x" }, 400, "unsupported_grant_type"],
    ["an unknown scope", { grant_type: "client_credentials", scope: "scim admin" }, 400, "invalid_scope"],
  ])("%s: %i %s", async (_what, body, status, error) => {
    const res = await token(body as Record<string, string>, { authorization: basic(clientId, clientSecret) });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("invalid_request: a repeated parameter, two ways of client authentication, a body that is not a form", async () => {
    const repeated = await token("grant_type=client_credentials&grant_type=client_credentials", { authorization: basic(clientId, clientSecret) });
    expect([repeated.status, repeated.body.error, repeated.body.error_description]).toEqual([400, "invalid_request", 'parameter "grant_type" must not be repeated']);
    const both = await token({ ...grant, client_secret: clientSecret }, { authorization: basic(clientId, clientSecret) });
    expect([both.status, both.body.error]).toEqual([400, "invalid_request"]);
    const json = await fetch(`${server.baseUrl}/oauth2/token`, { method: "POST", headers: { "content-type": "application/json", authorization: basic(clientId, clientSecret) }, body: JSON.stringify(grant) });
    expect([json.status, ((await json.json()) as { error: string }).error]).toEqual([400, "invalid_request"]);
    const get = await fetch(`${server.baseUrl}/oauth2/token`);
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it.each([
    ["no client authentication", () => ({ body: grant, headers: {} })],
    ["an unknown client", () => ({ body: grant, headers: { authorization: basic(crypto.randomUUID(), clientSecret) } })],
    ["a wrong secret", () => ({ body: grant, headers: { authorization: basic(clientId, "scimcs_" + "A".repeat(46)) } })],
    ["a secret of another form", () => ({ body: { ...grant, client_id: clientId, client_secret: "hunter2" }, headers: {} })],
    ["a client id without a secret (public clients are not served)", () => ({ body: { ...grant, client_id: clientId }, headers: {} })],
    ["a Bearer header", () => ({ body: grant, headers: { authorization: `Bearer ${clientSecret}` } })],
    ["Basic without a colon", () => ({ body: grant, headers: { authorization: `Basic ${Buffer.from(clientId).toString("base64")}` } })],
  ])("invalid_client, 401 with WWW-Authenticate: %s", async (_what, make) => {
    const { body, headers } = make();
    const res = await token(body as Record<string, string>, headers as Record<string, string>);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid_client", error_description: expect.any(String) });
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="oauth2", charset="UTF-8"');
  });

  it("an access token expires after its lifetime, and never outlives its secret", async () => {
    const issued = await token(grant, { authorization: basic(clientId, clientSecret) });
    clock.advance(3600_000 - 1000);
    expect(await scimStatus(server, issued.body.access_token)).toBe(200);
    clock.advance(1000);
    expect(await scimStatus(server, issued.body.access_token)).toBe(401);
    // A secret with a day left yields a token for at most that day... and one that dies with it.
    const short = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretExpiresIn: seconds(86400) });
    clock.advance(86400_000 - 600_000);
    const late = await token({ ...grant, client_id: clientId, client_secret: short.clientSecret });
    expect(late.body.expires_in).toBe(600);
    clock.advance(600_000);
    expect(await scimStatus(server, late.body.access_token)).toBe(401);
    const expired = await token({ ...grant, client_id: clientId, client_secret: short.clientSecret });
    expect([expired.status, expired.body.error, expired.body.error_description]).toEqual([401, "invalid_client", "the client secret has expired; create a new one"]);
  });

  it("revoking a client secret ends its access tokens at once, not those of another secret", async () => {
    const second = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
    const a = await token(grant, { authorization: basic(clientId, second.clientSecret) });
    const b = await token(grant, { authorization: basic(clientId, clientSecret) });
    await creds.revokeSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretId: second.secret!.id });
    expect(await scimStatus(server, a.body.access_token)).toBe(401);
    expect(await scimStatus(server, b.body.access_token)).toBe(200);
    expect((await token(grant, { authorization: basic(clientId, second.clientSecret) })).status).toBe(401);
    expect(await codeOf(creds.revokeSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretId: second.secret!.id }))).toBe("NotFound");
  });

  it("a disabled configuration: no new token (unauthorized_client), and its access tokens die (enabling again revives none)", async () => {
    const admin = clientFor("connect-json", server.baseUrl, server.adminKey);
    const issued = await token(grant, { authorization: basic(clientId, clientSecret) });
    await admin.updateSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId, enabled: false });
    expect(await scimStatus(server, issued.body.access_token)).toBe(401);
    // Its SCIM token, as upstream's rule says, is 403 while disabled.
    expect(await scimStatus(server, tenant.token)).toBe(403);
    const refused = await token(grant, { authorization: basic(clientId, clientSecret) });
    expect([refused.status, refused.body.error]).toEqual([400, "unauthorized_client"]);
    await admin.updateSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId, enabled: true });
    expect(await scimStatus(server, issued.body.access_token)).toBe(401);
    expect((await token(grant, { authorization: basic(clientId, clientSecret) })).status).toBe(200);
  });

  it("keeps at most 5 live secrets and at most 20 live access tokens (the oldest go first)", async () => {
    const other = await createScimTenant(server);
    const id = other.scimConfigurationId;
    const secrets = [];
    for (let i = 0; i < 5; i++) secrets.push(await creds.createSCIMClientSecret({ scimConfigurationId: id }));
    expect(await messageOf(creds.createSCIMClientSecret({ scimConfigurationId: id }))).toMatch(/has 5 live client secrets, the most it may have/);
    const tokens = [];
    for (let i = 0; i < 21; i++) tokens.push((await token({ ...grant, client_id: id, client_secret: secrets[i % 5]!.clientSecret })).body.access_token as string);
    expect(await scimStatus(server, tokens[0]!)).toBe(401);
    expect(await scimStatus(server, tokens[1]!)).toBe(200);
    expect(await scimStatus(server, tokens[20]!)).toBe(200);
  });

  it("a deleted configuration's client and access tokens authenticate nothing", async () => {
    const other = await createScimTenant(server);
    const secret = await creds.createSCIMClientSecret({ scimConfigurationId: other.scimConfigurationId });
    const issued = await token({ ...grant, client_id: secret.clientId, client_secret: secret.clientSecret });
    await clientFor("connect-json", server.baseUrl, server.adminKey).deleteSCIMConfiguration({ scimConfigurationId: other.scimConfigurationId });
    expect(await scimStatus(server, issued.body.access_token)).toBe(401);
    expect((await token({ ...grant, client_id: secret.clientId, client_secret: secret.clientSecret })).status).toBe(401);
  });

  it("Basic credentials are form-encoded (RFC 6749 §2.3.1) and may come over raw HTTP exactly as a client library sends them", async () => {
    const body = "grant_type=client_credentials";
    const res = await rawRequest(
      server.app.listener.address.port,
      `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(clientId, clientSecret)}\r\nContent-Type: application/x-www-form-urlencoded;charset=UTF-8\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(res.status, res.body).toBe(200);
  });

  it("member keys list secrets but do not create or revoke them; other organizations see not_found", async () => {
    const member = credentialsClient(server.baseUrl, await server.key("member"));
    expect((await member.listSCIMClientSecrets({ scimConfigurationId: tenant.scimConfigurationId })).secrets.length).toBeGreaterThan(0);
    expect(await codeOf(member.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId }))).toBe("PermissionDenied");
    const other = credentialsClient(server.baseUrl, await server.key("admin", crypto.randomUUID()));
    expect(await codeOf(other.listSCIMClientSecrets({ scimConfigurationId: tenant.scimConfigurationId }))).toBe("NotFound");
    expect(await messageOf(creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretExpiresIn: seconds(60) }))).toMatch(/secret_expires_in must be between 1 day and 2 years/);
  });
});

describe("OAuth and the brute-force limiter", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { AUTH_FAILURES_PER_MINUTE: "3" } });
  });
  afterAll(() => server.close());

  it("wrong secrets at /oauth2/token count like bad tokens: the address is refused with 429 and Retry-After", async () => {
    const tenant = await createScimTenant(server);
    const good = await credentialsClient(server.baseUrl, server.adminKey).createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
    const form = (secret: string) => new URLSearchParams({ grant_type: "client_credentials", client_id: good.clientId, client_secret: secret }).toString();
    const post = (secret: string) => fetch(`${server.baseUrl}/oauth2/token`, { method: "POST", headers: FORM, body: form(secret) });
    // A client secret that worked before stays usable from a blocked address (known good).
    expect((await post(good.clientSecret)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post("scimcs_" + String(i).repeat(46))).status).toBe(401);
    const blocked = await post("scimcs_" + "9".repeat(46));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect((await post(good.clientSecret)).status).toBe(200);
  });
});
