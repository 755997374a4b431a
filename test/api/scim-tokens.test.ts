import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, postJson } from "../support/clients.js";
import { codeOf, credentialsClient, messageOf, seconds, type CredentialsClient } from "../support/credentials-client.js";
import { ManualClock } from "../support/manual-clock.js";
import { scimStatus } from "../support/scim-access.js";
import { createScimTenant } from "../support/scim-client.js";
import { startTestServer, STORE_KINDS, type TestServer } from "../support/test-server.js";

const MINUTE = 60_000;

/** Several live SCIM tokens through scimservice.v1.SCIMCredentialService, on both stores. */
describe.each(STORE_KINDS)("SCIM tokens: rotate, list, revoke (%s)", (store) => {
  let server: TestServer;
  let clock: ManualClock;
  let creds: CredentialsClient;
  beforeAll(async () => {
    clock = new ManualClock(new Date("2026-03-01T00:00:00Z"));
    server = await startTestServer({ store, clock });
    creds = credentialsClient(server.baseUrl, server.adminKey);
  });
  afterAll(() => server.close());

  it("rotates with an overlap: both tokens work until the overlap ends, then the old one is 401", async () => {
    const tenant = await createScimTenant(server);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(600) });
    expect(rotated.token).toMatch(/^scim_/);
    expect(rotated.scimToken).toMatchObject({ current: true, prefix: rotated.token.slice(0, 9) });
    expect(Number(rotated.overlapEndsAt!.seconds) * 1000).toBe(clock.now().getTime() + 600_000);
    expect(await scimStatus(server, rotated.token)).toBe(200);
    expect(await scimStatus(server, tenant.token)).toBe(200);
    const listed = await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId });
    expect(listed.tokens.map((t) => [t.current, t.prefix])).toEqual([
      [true, rotated.token.slice(0, 9)],
      [false, tenant.token.slice(0, 9)],
    ]);
    expect(listed.tokens[1]!.overlapEndsAt).toEqual(rotated.overlapEndsAt);
    clock.advance(600_000 - 1);
    expect(await scimStatus(server, tenant.token)).toBe(200);
    clock.advance(1);
    const refused = await fetch(`${server.baseUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="SCIM", error="invalid_token"');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/replaced by a rotation and its overlap has ended/);
    expect(await scimStatus(server, rotated.token)).toBe(200);
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens).toHaveLength(1);
  });

  it("without an overlap is RegenerateSCIMToken: every other token stops at once, rotated-out ones too", async () => {
    const tenant = await createScimTenant(server);
    const a = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(3600) });
    const b = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId });
    expect(await scimStatus(server, tenant.token)).toBe(401);
    expect(await scimStatus(server, a.token)).toBe(401);
    expect(await scimStatus(server, b.token)).toBe(200);
    expect(b.overlapEndsAt).toBeUndefined();
    // And upstream's Regenerate ends rotated-out tokens too.
    const c = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(3600) });
    const admin = clientFor("connect-json", server.baseUrl, server.adminKey);
    const regenerated = await admin.regenerateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId });
    expect((await Promise.all([b.token, c.token].map((t) => scimStatus(server, t))))).toEqual([401, 401]);
    expect(await scimStatus(server, regenerated.token)).toBe(200);
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens).toHaveLength(1);
  });

  it("without an overlap, 20 concurrent rotations leave exactly one of the returned tokens valid (Regenerate's race)", async () => {
    const tenant = await createScimTenant(server);
    const results = await Promise.all(Array.from({ length: 20 }, () => creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId })));
    const statuses = await Promise.all([tenant.token, ...results.map((r) => r.token)].map((t) => scimStatus(server, t)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses[0]).toBe(401);
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens).toHaveLength(1);
  });

  it("keeps at most 5 live tokens: a sixth is failed_precondition until one is revoked or ends", async () => {
    const tenant = await createScimTenant(server);
    const id = tenant.scimConfigurationId;
    for (let i = 0; i < 4; i++) await creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(3600 + i) });
    expect((await creds.listSCIMTokens({ scimConfigurationId: id })).tokens).toHaveLength(5);
    const refused = creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(60) });
    expect(await messageOf(refused)).toMatch(/has 5 live tokens, and a rotation with an overlap would make 6; at most 5/);
    expect(await codeOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(60) }))).toBe("FailedPrecondition");
    const oldest = (await creds.listSCIMTokens({ scimConfigurationId: id })).tokens.at(-1)!;
    await creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: oldest.id });
    expect(await scimStatus(server, tenant.token)).toBe(401);
    expect(await codeOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(60) }))).toBe("OK");
    // When the overlaps end, room comes back by itself.
    clock.advance(3700_000);
    expect((await creds.listSCIMTokens({ scimConfigurationId: id })).tokens).toHaveLength(1);
    expect(await codeOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(60) }))).toBe("OK");
  });

  it("revoking the current token makes the newest other one current, keeping its end; the only one cannot go", async () => {
    const tenant = await createScimTenant(server);
    const id = tenant.scimConfigurationId;
    const admin = clientFor("connect-json", server.baseUrl, server.adminKey);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(1800) });
    await creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: rotated.scimToken!.id });
    expect(await scimStatus(server, rotated.token)).toBe(401);
    expect(await scimStatus(server, tenant.token)).toBe(200);
    const [current] = (await creds.listSCIMTokens({ scimConfigurationId: id })).tokens;
    expect(current).toMatchObject({ current: true, prefix: tenant.token.slice(0, 9) });
    // It still ends when its overlap would have ended: revoking never lengthens another token's life.
    expect(current!.expiresAt).toEqual(rotated.overlapEndsAt);
    expect((await admin.getSCIMConfiguration({ scimConfigurationId: id })).scimConfiguration!.tokenExpiresAt).toEqual(rotated.overlapEndsAt);
    expect(await messageOf(creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: current!.id }))).toMatch(/only live token .*RegenerateSCIMToken or RotateSCIMToken replaces it/);
    expect(await codeOf(creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: current!.id }))).toBe("FailedPrecondition");
    expect(await codeOf(creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: rotated.scimToken!.id }))).toBe("NotFound");
    clock.advance(1800_000);
    expect(await scimStatus(server, tenant.token)).toBe(401);
    // A regenerate after that starts from the token's own lifetime (a year), not from the shortened end.
    const fresh = await admin.regenerateSCIMToken({ scimConfigurationId: id });
    expect(Number(fresh.tokenExpiresAt!.seconds) * 1000 - clock.now().getTime()).toBe(365 * 86400_000);
  });

  it("deleting the configuration ends every live token", async () => {
    const tenant = await createScimTenant(server);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(600) });
    await clientFor("connect-json", server.baseUrl, server.adminKey).deleteSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId });
    expect(await scimStatus(server, tenant.token)).toBe(401);
    expect(await scimStatus(server, rotated.token)).toBe(401);
    expect(await codeOf(creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId }))).toBe("NotFound");
  });

  it("validates the overlap and lifetime, naming the field and the rule", async () => {
    const tenant = await createScimTenant(server);
    const id = tenant.scimConfigurationId;
    expect(await messageOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(604_801) }))).toMatch(/overlap must be between 0s and 604800s \(7 days\)/);
    expect(await messageOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: { seconds: 60n, nanos: 5 } }))).toMatch(/overlap must be/);
    expect(await messageOf(creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(60), tokenExpiresIn: seconds(3600) }))).toMatch(/token_expires_in must be between 1 day and 2 years/);
    expect(await messageOf(creds.rotateSCIMToken({ scimConfigurationId: "nope" }))).toMatch(/scim_configuration_id must be a UUID/);
    expect(await messageOf(creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: "x" }))).toMatch(/token_id must be a UUID/);
    const kept = await creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(604_800), tokenExpiresIn: seconds(86400 * 30) });
    expect(Number(kept.scimToken!.expiresAt!.seconds) * 1000 - clock.now().getTime()).toBe(30 * 86400_000);
    expect(await scimStatus(server, tenant.token)).toBe(200);
    // Nothing changed on refusal: still two live tokens.
    expect((await creds.listSCIMTokens({ scimConfigurationId: id })).tokens).toHaveLength(2);
  });

  it("member keys list but do not rotate or revoke; another organization's configuration is not_found", async () => {
    const tenant = await createScimTenant(server);
    const member = credentialsClient(server.baseUrl, await server.key("member"));
    expect((await member.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens).toHaveLength(1);
    expect(await codeOf(member.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(60) }))).toBe("PermissionDenied");
    const other = credentialsClient(server.baseUrl, await server.key("admin", crypto.randomUUID()));
    expect(await codeOf(other.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId }))).toBe("NotFound");
    expect(await codeOf(other.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(60) }))).toBe("NotFound");
  });

  it("never returns a token or a hash in a list, and marks the rotate answer no-store", async () => {
    const tenant = await createScimTenant(server);
    const call = (method: string, body: unknown) =>
      fetch(`${server.baseUrl}/scimservice.v1.SCIMCredentialService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
        body: JSON.stringify(body),
      });
    const rotated = await call("RotateSCIMToken", { scimConfigurationId: tenant.scimConfigurationId, overlap: "600s" });
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const token = ((await rotated.json()) as { token: string }).token;
    const listed = await (await call("ListSCIMTokens", { scimConfigurationId: tenant.scimConfigurationId })).text();
    expect(listed).not.toContain(token.slice(9));
    expect(listed).not.toContain(tenant.token.slice(9));
    expect(listed).not.toMatch(/[0-9a-f]{64}/);
    expect(JSON.parse(listed).tokens[0]).toEqual({ id: expect.any(String), prefix: token.slice(0, 9), createdAt: expect.any(String), expiresAt: expect.any(String), current: true });
    expect(Object.keys(JSON.parse(listed).tokens[1]).sort()).toEqual(["createdAt", "current", "expiresAt", "id", "overlapEndsAt", "prefix"]);
    // Upstream's messages carry no new field.
    const got = await postJson(server.baseUrl, "GetSCIMConfiguration", { scimConfigurationId: tenant.scimConfigurationId }, server.adminKey);
    expect(Object.keys(got.json.scimConfiguration).sort()).toEqual(
      ["allowUnverifiedEmailAccountLinking", "createdAt", "enabled", "id", "name", "organizationId", "ssoConfigurationId", "tokenExpiresAt", "updatedAt"].sort(),
    );
  });

  it("concurrent rotations with an overlap each land once (compare-and-set): no live token is lost", async () => {
    const tenant = await createScimTenant(server);
    const results = await Promise.all(Array.from({ length: 4 }, () => creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(600) })));
    const statuses = await Promise.all([tenant.token, ...results.map((r) => r.token)].map((t) => scimStatus(server, t)));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens).toHaveLength(5);
  });

  it("a lapsed minute changes nothing for the current token; an expired current token is not carried into an overlap", async () => {
    const admin = clientFor("connect-json", server.baseUrl, server.adminKey);
    const tenant = await createScimTenant(server);
    await admin.regenerateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, tokenExpiresIn: seconds(86400) });
    clock.advance(86400_000 + MINUTE);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(600) });
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens.map((t) => t.id)).toEqual([rotated.scimToken!.id]);
  });
});
