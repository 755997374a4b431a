import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../support/manual-clock.js";
import { clientFor } from "../support/clients.js";
import { startTestServer, STORE_KINDS, type TestServer } from "../support/test-server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

describe.each(STORE_KINDS)("Unleash-style SCIM settings and SCIM discovery (%s store)", (store) => {
  let server: TestServer;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
  });
  afterAll(async () => {
    await server.close();
  });

  /** A fresh organization with an admin key, a member key and (optionally) one SCIM configuration. */
  async function organization(withScim = true) {
    const org = randomUUID();
    const adminKey = await server.key("admin", org);
    const memberKey = await server.key("member", org);
    const client = clientFor("connect-json", server.baseUrl, adminKey);
    const createScim = async (tokenExpiresIn?: bigint) => {
      const sso = await client.createSSOConfiguration({ organizationId: org, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" });
      return client.createSCIMConfiguration({
        organizationId: org,
        ssoConfigurationId: sso.ssoConfiguration!.id,
        ...(tokenExpiresIn ? { tokenExpiresIn: { seconds: tokenExpiresIn, nanos: 0 } } : {}),
      });
    };
    const created = withScim ? await createScim() : undefined;
    return { org, adminKey, memberKey, client, created, createScim };
  }

  const settings = (auth: string | undefined, method = "GET", body?: string, contentType = "application/json", path = "/api/admin/scim-settings") =>
    fetch(server.baseUrl + path, {
      method,
      headers: { ...(auth === undefined ? {} : { authorization: auth }), ...(body === undefined ? {} : { "content-type": contentType }) },
      ...(body === undefined ? {} : { body }),
    });
  const generate = (auth: string | undefined, query = "") => settings(auth, "POST", undefined, undefined, `/api/admin/scim-settings/generate-new-token${query}`);
  const spc = (token: string | undefined) =>
    fetch(`${server.baseUrl}/scim/v2/ServiceProviderConfig`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  beforeEach(() => clock.set(new Date()));

  it("runs the Unleash flow: generate, rotate, disable, re-enable", async () => {
    const { adminKey } = await organization();
    const a = await generate(adminKey);
    expect(a.status).toBe(200);
    const tokenA = ((await a.json()) as { token: string }).token;
    expect(tokenA).toMatch(/^scim_/);
    expect((await spc(tokenA)).status).toBe(200);

    const tokenB = ((await (await generate(`Bearer ${adminKey}`)).json()) as { token: string }).token;
    expect((await spc(tokenB)).status).toBe(200);
    const oldA = await spc(tokenA);
    expect(oldA.status).toBe(401);
    expect(oldA.headers.get("www-authenticate")).toMatch(/^Bearer/);

    const off = await settings(adminKey, "POST", JSON.stringify({ enabled: false }));
    expect(off.status).toBe(200);
    expect(await off.text()).toBe("");
    const disabled = await spc(tokenB);
    expect(disabled.status).toBe(403);
    expect(await disabled.json()).toMatchObject({ schemas: [SCIM_ERROR], status: "403" });
    expect(await (await settings(adminKey)).json()).toEqual({ enabled: false, hasToken: true });

    expect((await settings(adminKey, "POST", JSON.stringify({ enabled: true }))).status).toBe(200);
    expect((await spc(tokenB)).status).toBe(200);
    expect(await (await settings(adminKey)).json()).toEqual({ enabled: true, hasToken: true });
  });

  it("generate-new-token keeps the previous lifetime, exactly like RegenerateSCIMToken", async () => {
    const { adminKey, client, createScim } = await organization(false);
    const created = await createScim(86_400n * 3n);
    await generate(adminKey);
    const after = await client.getSCIMConfiguration({ scimConfigurationId: created.scimConfiguration!.id });
    const lifetime = Number(after.scimConfiguration!.tokenExpiresAt!.seconds) - Math.floor(clock.now().getTime() / 1000);
    expect(Math.abs(lifetime - 3 * 86_400)).toBeLessThan(5);
  });

  describe("Unleash error shapes", () => {
    const expectError = async (res: Response, status: number, name: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(["id", "message", "name"]);
      expect(body.id).toMatch(UUID);
      expect(body.name).toBe(name);
      expect(body.message.length).toBeGreaterThan(10);
      return body;
    };

    it("AuthenticationRequired 401 without a key, with a bad key, with a SCIM token", async () => {
      const { created } = await organization();
      await expectError(await settings(undefined), 401, "AuthenticationRequired");
      await expectError(await generate("not-a-key-at-all-but-long-enough"), 401, "AuthenticationRequired");
      await expectError(await settings(created!.token), 401, "AuthenticationRequired");
    });

    it("NoAccessError 403 for member keys writing; members may read", async () => {
      const { memberKey, created } = await organization();
      await expectError(await generate(memberKey), 403, "NoAccessError");
      await expectError(await settings(memberKey, "POST", '{"enabled": false}'), 403, "NoAccessError");
      expect((await settings(memberKey)).status).toBe(200);
      expect((await spc(created!.token)).status).toBe(200);
    });

    it("NotFoundError 404 when the organization has no SCIM configuration", async () => {
      const { adminKey } = await organization(false);
      await expectError(await settings(adminKey), 404, "NotFoundError");
      await expectError(await generate(adminKey), 404, "NotFoundError");
      await expectError(await generate(adminKey, `?scimConfigurationId=${randomUUID()}`), 404, "NotFoundError");
    });

    it("ValidationError 400 for bad bodies and for several configurations with none named", async () => {
      const { adminKey, createScim, created } = await organization();
      for (const body of ['{"enabled": "yes"}', "{}", "[true]", '{"enabled": true, "extra": 1}', "{oops"]) {
        await expectError(await settings(adminKey, "POST", body), 400, "ValidationError");
      }
      await expectError(await generate(adminKey, "?scimConfigurationId=nope"), 400, "ValidationError");
      const second = await createScim();
      const several = await expectError(await settings(adminKey), 400, "ValidationError");
      expect(several.message).toContain("scimConfigurationId");
      const named = await settings(adminKey, "GET", undefined, undefined, `/api/admin/scim-settings?scimConfigurationId=${second.scimConfiguration!.id}`);
      expect(await named.json()).toEqual({ enabled: true, hasToken: true });
      const token = await generate(adminKey, `?scimConfigurationId=${created!.scimConfiguration!.id}`);
      expect(token.status).toBe(200);
      expect((await spc(created!.token)).status).toBe(401);
      expect((await spc(second.token)).status).toBe(200);
    });

    it("ContentTypeError 415 for a body that is not JSON, and nothing changes", async () => {
      const { adminKey, created } = await organization();
      await expectError(await settings(adminKey, "POST", "enabled=false", "application/x-www-form-urlencoded"), 415, "ContentTypeError");
      await expectError(await settings(adminKey, "POST", "false", "text/plain"), 415, "ContentTypeError");
      await expectError(await settings(adminKey, "POST", "x", "text/plain", "/api/admin/scim-settings/generate-new-token"), 415, "ContentTypeError");
      expect((await spc(created!.token)).status).toBe(200);
    });
  });

  describe("SCIM discovery", () => {
    it("serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json", async () => {
      const { created } = await organization();
      const auth = { authorization: `Bearer ${created!.token}` };
      const res = await spc(created!.token);
      expect(res.headers.get("content-type")).toBe("application/scim+json");
      const config = (await res.json()) as Record<string, any>;
      expect(config.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]);
      expect(config.authenticationSchemes).toEqual([
        expect.objectContaining({ type: "oauthbearertoken", primary: true }),
        expect.objectContaining({ type: "oauth2", primary: false }),
      ]);
      // What is implemented, exactly: patch, bulk, filter, sort and etag yes; password changes no.
      for (const feature of ["patch", "bulk", "filter", "sort", "etag"]) expect(config[feature].supported).toBe(true);
      expect(config.changePassword.supported).toBe(false);
      expect(config.bulk).toMatchObject({ maxOperations: 1000, maxPayloadSize: 1048576 });
      expect(config.filter.maxResults).toBe(1000);
      expect(config.meta.location).toBe(`${server.baseUrl}/scim/v2/ServiceProviderConfig`);

      const types = (await (await fetch(`${server.baseUrl}/scim/v2/ResourceTypes`, { headers: auth })).json()) as Record<string, any>;
      expect(types).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 2 });
      expect(types.Resources.map((t: { id: string }) => t.id)).toEqual(["User", "Group"]);
      const schemas = (await (await fetch(`${server.baseUrl}/scim/v2/Schemas`, { headers: auth })).json()) as Record<string, any>;
      expect(schemas.totalResults).toBe(6);
      const ids = schemas.Resources.map((s: { id: string }) => s.id);
      expect(ids).toContain("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
      const one = await fetch(`${server.baseUrl}/scim/v2/Schemas/${ids[0]}`, { headers: auth });
      expect(((await one.json()) as { id: string }).id).toBe(ids[0]);
      expect((await fetch(`${server.baseUrl}/scim/v2/Schemas/urn:nope`, { headers: auth })).status).toBe(404);
      const users = await fetch(`${server.baseUrl}/scim/v2/Nope`, { headers: auth });
      expect(users.status).toBe(404);
      expect(await users.json()).toMatchObject({ schemas: [SCIM_ERROR], status: "404" });
      expect((await fetch(`${server.baseUrl}/scim/v2/Users`)).status).toBe(401);
    });

    it("answers 401 with a SCIM error and WWW-Authenticate for every kind of bad token", async () => {
      const { created, client, adminKey } = await organization();
      const good = created!.token;
      const regenerated = (await client.regenerateSCIMToken({ scimConfigurationId: created!.scimConfiguration!.id })).token;
      const deleted = await (await organization()).created!;
      await clientFor("connect-json", server.baseUrl, await server.key("admin", deleted.scimConfiguration!.organizationId)).deleteSCIMConfiguration({
        scimConfigurationId: deleted.scimConfiguration!.id,
      });
      const wrongChecksum = regenerated.slice(0, -1) + (regenerated.endsWith("A") ? "B" : "A");
      const unknown = `scim_${"A".repeat(40)}` + "000000";
      for (const token of [undefined, "", "garbage", wrongChecksum, unknown, good, deleted.token, adminKey]) {
        const res = await spc(token);
        expect(res.status, `token ${String(token).slice(0, 12)}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="SCIM"/);
        expect(res.headers.get("content-type")).toBe("application/scim+json");
        const body = (await res.json()) as Record<string, string>;
        expect(body.schemas).toEqual([SCIM_ERROR]);
        expect(body.status).toBe("401");
        expect(body.detail.length).toBeGreaterThan(10);
        if (token) expect(JSON.stringify(body)).not.toContain(token);
      }
      expect((await spc(regenerated)).status).toBe(200);
    });

    it("an expired token answers 401 (controllable clock, no sleep)", async () => {
      const { createScim, adminKey } = await organization(false);
      const created = await createScim(86_400n);
      expect((await spc(created.token)).status).toBe(200);
      clock.advance(86_400_000 - 1000);
      expect((await spc(created.token)).status).toBe(200);
      clock.advance(2000);
      const expired = await spc(created.token);
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { detail: string }).detail).toContain("expired");
      expect(await (await settings(adminKey)).json()).toEqual({ enabled: true, hasToken: false });
      const fresh = ((await (await generate(adminKey)).json()) as { token: string }).token;
      expect((await spc(fresh)).status).toBe(200);
    });
  });
});
