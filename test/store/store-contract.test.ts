import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/domain/ids.js";
import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../src/domain/errors.js";
import type { ApiKeyRecord, ScimConfigurationRecord, SsoConfigurationRecord } from "../../src/domain/records.js";
import type { Stores } from "../../src/domain/ports.js";
import { openTestStores, STORE_KINDS } from "../support/test-server.js";

/** One contract, two adapters: the memory store must behave exactly as MongoDB (FerretDB) does. */
describe.each(STORE_KINDS)("store contract (%s)", (kind) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openTestStores(kind);
  });
  afterAll(async () => {
    await stores.close();
  });

  const t0 = new Date("2026-01-01T00:00:00.000Z");
  const scim = (org: string, over: Partial<ScimConfigurationRecord> = {}): ScimConfigurationRecord => ({
    id: newId(),
    organizationId: org,
    name: "okta",
    enabled: true,
    ssoConfigurationId: randomUUID(),
    allowUnverifiedEmailAccountLinking: false,
    createdAt: t0,
    updatedAt: t0,
    tokenHash: randomUUID().replaceAll("-", "").repeat(2),
    tokenIssuedAt: t0,
    tokenLifetimeSeconds: 365 * 86400,
    ...over,
  });
  const sso = (org: string): SsoConfigurationRecord => ({
    id: newId(),
    organizationId: org,
    clientId: "client",
    clientSecretHash: "ab".repeat(32),
    issuerUrl: "https://idp.example.com",
    state: "inactive",
    providerType: "custom",
    claims: { "https://example.com/groups": "groups", $weird: "x" },
    emailDomain: "",
    emailDomains: ["example.com"],
    displayName: "Okta",
    additionalScopes: ["groups"],
    claimsExpression: "",
    createdAt: t0,
    updatedAt: t0,
  });

  describe("SCIM configurations", () => {
    it("creates, reads back equal, and scopes reads by organization", async () => {
      const org = randomUUID();
      const r = scim(org);
      await stores.scimConfigurations.create(r);
      expect(await stores.scimConfigurations.get(org, r.id)).toEqual(r);
      expect(await stores.scimConfigurations.get(randomUUID(), r.id)).toBeUndefined();
      expect(await stores.scimConfigurations.findByTokenHash(r.tokenHash)).toEqual(r);
    });


    it("keeps stored state apart from what callers hold: changing a record given or got changes nothing stored", async () => {
      const org = randomUUID();
      const r = scim(org, { ipAllowlist: ["10.0.0.0/8"] });
      await stores.scimConfigurations.create(r);
      r.name = "changed after create";
      r.ipAllowlist!.push("0.0.0.0/0");
      const got = (await stores.scimConfigurations.findByTokenHash(r.tokenHash))!;
      // The memory store hands out its frozen record (a change throws); MongoDB a fresh document.
      try {
        got.enabled = false;
        got.ipAllowlist!.push("0.0.0.0/0");
      } catch (err) {
        expect(kind).toBe("memory");
        expect(err).toBeInstanceOf(TypeError);
      }
      const stored = (await stores.scimConfigurations.get(org, r.id))!;
      expect(stored).toMatchObject({ name: "okta", enabled: true, ipAllowlist: ["10.0.0.0/8"] });
      const updated = (await stores.scimConfigurations.update(org, r.id, { name: "renamed" }, new Date(t0.getTime() + 1000)))!;
      expect(updated.name).toBe("renamed");
      expect(stored.name).toBe("okta");
    });
    it("refuses a second configuration for the same SSO configuration", async () => {
      const org = randomUUID();
      const first = scim(org);
      await stores.scimConfigurations.create(first);
      const second = scim(org, { ssoConfigurationId: first.ssoConfigurationId });
      await expect(stores.scimConfigurations.create(second)).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimSsoLink));
      expect(await stores.scimConfigurations.get(org, second.id)).toBeUndefined();
      expect(await stores.scimConfigurations.isSsoConfigurationLinked(org, first.ssoConfigurationId)).toBe(true);
      expect(await stores.scimConfigurations.isSsoConfigurationLinked(org, randomUUID())).toBe(false);
    });

    it("refuses a duplicate token hash as a key collision, never as the client's SSO-link conflict", async () => {
      const org = randomUUID();
      const first = scim(org);
      await stores.scimConfigurations.create(first);
      await expect(stores.scimConfigurations.create(scim(org, { tokenHash: first.tokenHash }))).rejects.toBeInstanceOf(KeyCollisionError);
    });

    it("patches only given fields and never moves updatedAt backwards", async () => {
      const org = randomUUID();
      const r = scim(org);
      await stores.scimConfigurations.create(r);
      const later = new Date(t0.getTime() + 60_000);
      const updated = await stores.scimConfigurations.update(org, r.id, { enabled: false }, later);
      expect(updated).toEqual({ ...r, enabled: false, updatedAt: later });
      const earlier = await stores.scimConfigurations.update(org, r.id, { name: "entra" }, t0);
      expect(earlier?.updatedAt).toEqual(later);
      expect(earlier?.name).toBe("entra");
      // A patch that changes nothing leaves updatedAt where it was.
      const unchanged = await stores.scimConfigurations.update(org, r.id, { name: "entra", enabled: false }, new Date(t0.getTime() + 120_000));
      expect(unchanged).toEqual({ ...r, enabled: false, name: "entra", updatedAt: later });
      expect(await stores.scimConfigurations.update(randomUUID(), r.id, { name: "x" }, later)).toBeUndefined();
    });

    it("refuses relinking to an SSO configuration that is linked already", async () => {
      const org = randomUUID();
      const a = scim(org);
      const b = scim(org);
      await stores.scimConfigurations.create(a);
      await stores.scimConfigurations.create(b);
      await expect(stores.scimConfigurations.update(org, b.id, { ssoConfigurationId: a.ssoConfigurationId }, t0)).rejects.toEqual(
        new AlreadyExistsError(CONFLICT.scimSsoLink),
      );
      const moved = await stores.scimConfigurations.update(org, b.id, { ssoConfigurationId: randomUUID() }, t0);
      expect(await stores.scimConfigurations.isSsoConfigurationLinked(org, b.ssoConfigurationId)).toBe(false);
      expect(await stores.scimConfigurations.isSsoConfigurationLinked(org, moved!.ssoConfigurationId)).toBe(true);
    });

    it("rotates the token atomically: the old hash finds nothing afterwards", async () => {
      const org = randomUUID();
      const r = scim(org);
      await stores.scimConfigurations.create(r);
      const issuedAt = new Date(t0.getTime() + 1000);
      const rotation = { tokenHash: "cd".repeat(32) + randomUUID(), issuedAt, lifetimeSeconds: 86400, tokenId: newId(), tokenPrefix: "scim_abcd" };
      const rotated = await stores.scimConfigurations.rotateToken(org, r.id, rotation, issuedAt);
      expect(rotated).toMatchObject({ tokenHash: rotation.tokenHash, tokenIssuedAt: issuedAt, tokenLifetimeSeconds: 86400 });
      // Without a lifetime the stored one is kept, in the same single write.
      const again = { tokenHash: "ef".repeat(32) + randomUUID(), issuedAt: new Date(t0.getTime() + 2000), tokenId: newId(), tokenPrefix: "scim_efgh" };
      const kept = await stores.scimConfigurations.rotateToken(org, r.id, again, again.issuedAt);
      expect(kept).toMatchObject({ tokenHash: again.tokenHash, tokenIssuedAt: again.issuedAt, tokenLifetimeSeconds: 86400 });
      expect(await stores.scimConfigurations.findByTokenHash(r.tokenHash)).toBeUndefined();
      expect(await stores.scimConfigurations.findByTokenHash(rotation.tokenHash)).toBeUndefined();
      expect((await stores.scimConfigurations.findByTokenHash(again.tokenHash))?.id).toBe(r.id);
      expect(await stores.scimConfigurations.rotateToken(randomUUID(), r.id, rotation, t0)).toBeUndefined();
    });

    it("deletes only within the organization, and the token finds nothing afterwards", async () => {
      const org = randomUUID();
      const r = scim(org);
      await stores.scimConfigurations.create(r);
      expect(await stores.scimConfigurations.delete(randomUUID(), r.id)).toBe(false);
      expect(await stores.scimConfigurations.delete(org, r.id)).toBe(true);
      expect(await stores.scimConfigurations.delete(org, r.id)).toBe(false);
      expect(await stores.scimConfigurations.findByTokenHash(r.tokenHash)).toBeUndefined();
      expect(await stores.scimConfigurations.isSsoConfigurationLinked(org, r.ssoConfigurationId)).toBe(false);
    });

    it("pages by keyset: every record exactly once, in id order, other organizations never", async () => {
      const org = randomUUID();
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const r = scim(org);
        ids.push(r.id);
        await stores.scimConfigurations.create(r);
      }
      await stores.scimConfigurations.create(scim(randomUUID()));
      const seen: string[] = [];
      let afterId: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await stores.scimConfigurations.list(org, { limit: 5, afterId });
        pages++;
        seen.push(...page.items.map((r) => r.id));
        if (page.nextToken === "") break;
        afterId = page.items[page.items.length - 1]!.id;
      }
      expect(pages).toBe(5);
      expect(seen).toEqual([...ids].sort());
      const exact = await stores.scimConfigurations.list(org, { limit: 23, afterId: undefined });
      expect(exact.items).toHaveLength(23);
      expect(exact.nextToken).toBe("");
    });
  });

  describe("SSO configurations", () => {
    it("round-trips claims whose names are URLs or start with $", async () => {
      const org = randomUUID();
      const r = sso(org);
      await stores.ssoConfigurations.create(r);
      expect(await stores.ssoConfigurations.get(org, r.id)).toEqual(r);
      const page = await stores.ssoConfigurations.list(org, { limit: 10, afterId: undefined });
      expect(page.items).toEqual([r]);
      const updated = await stores.ssoConfigurations.update(org, r.id, { claims: { "a.b": "c" }, state: "active" }, new Date(t0.getTime() + 5));
      expect(updated).toMatchObject({ claims: { "a.b": "c" }, state: "active", displayName: "Okta" });
      // The same values again change nothing, so updatedAt stays.
      const same = await stores.ssoConfigurations.update(org, r.id, { claims: { "a.b": "c" }, emailDomains: ["example.com"] }, new Date(t0.getTime() + 60_000));
      expect(same?.updatedAt).toEqual(updated?.updatedAt);
    });

    it("hides a record between beginDelete and cancelDelete, and deletes it", async () => {
      const org = randomUUID();
      const r = sso(org);
      await stores.ssoConfigurations.create(r);
      expect(await stores.ssoConfigurations.beginDelete(randomUUID(), r.id, t0)).toBe(false);
      expect(await stores.ssoConfigurations.beginDelete(org, r.id, t0)).toBe(true);
      expect(await stores.ssoConfigurations.get(org, r.id)).toBeUndefined();
      expect(await stores.ssoConfigurations.beginDelete(org, r.id, t0)).toBe(false);
      await stores.ssoConfigurations.cancelDelete(org, r.id);
      expect(await stores.ssoConfigurations.get(org, r.id)).toEqual(r);
      expect(await stores.ssoConfigurations.delete(org, r.id)).toBe(true);
      expect(await stores.ssoConfigurations.get(org, r.id)).toBeUndefined();
    });
  });

  describe("API keys", () => {
    it("finds by hash, lists per organization, revokes once", async () => {
      const org = randomUUID();
      const key = (role: ApiKeyRecord["role"]): ApiKeyRecord => ({
        id: newId(),
        organizationId: org,
        role,
        name: role,
        keyHash: randomUUID(),
        createdAt: new Date(),
      });
      const admin = key("admin");
      const member = key("member");
      await stores.apiKeys.create(admin);
      await stores.apiKeys.create(member);
      await expect(stores.apiKeys.create({ ...key("admin"), keyHash: admin.keyHash })).rejects.toBeInstanceOf(KeyCollisionError);
      expect(await stores.apiKeys.findByHash(admin.keyHash)).toEqual(admin);
      expect((await stores.apiKeys.list(org)).map((k) => k.id)).toEqual([admin.id, member.id]);
      const when = new Date("2026-06-01T00:00:00Z");
      expect((await stores.apiKeys.revoke(member.id, when))?.revokedAt).toEqual(when);
      expect((await stores.apiKeys.revoke(member.id, new Date()))?.revokedAt).toEqual(when);
      expect(await stores.apiKeys.revoke(randomUUID(), when)).toBeUndefined();
      expect(await stores.apiKeys.count()).toBeGreaterThanOrEqual(2);
    });
  });

  it("answers ping", async () => {
    expect(await stores.ping()).toBe(true);
  });
});
