import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMongoStores, type MongoStores } from "../../src/adapters/mongo/connection.js";
import { currentTokenId } from "../../src/domain/credentials/scim-token-set.js";
import { KeyCollisionError } from "../../src/domain/errors.js";
import { newId } from "../../src/domain/ids.js";
import type { Stores } from "../../src/domain/ports.js";
import type { PreviousScimToken, ScimConfigurationRecord } from "../../src/domain/records.js";
import { recordCommands } from "../support/index-coverage.js";
import { openTestStores, STORE_KINDS } from "../support/test-server.js";

const t0 = new Date("2026-01-01T00:00:00.000Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const hash = () => randomUUID().replaceAll("-", "").repeat(2);

function record(org: string, over: Partial<ScimConfigurationRecord> = {}): ScimConfigurationRecord {
  return {
    id: newId(),
    organizationId: org,
    name: "okta",
    enabled: true,
    ssoConfigurationId: randomUUID(),
    allowUnverifiedEmailAccountLinking: false,
    createdAt: t0,
    updatedAt: t0,
    tokenHash: hash(),
    tokenIssuedAt: t0,
    tokenLifetimeSeconds: 365 * 86400,
    tokenId: newId(),
    tokenPrefix: "scim_abcd",
    ...over,
  };
}

const previous = (over: Partial<PreviousScimToken> = {}): PreviousScimToken => ({ id: newId(), hash: hash(), prefix: "scim_prev", issuedAt: t0, expiresAt: at(86400), overlapEndsAt: at(600), ...over });

/** The credential port methods of issue 13, one contract for both adapters. */
describe.each(STORE_KINDS)("SCIM credential store contract (%s)", (kind) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openTestStores(kind);
  });
  afterAll(() => stores.close());
  const store = () => stores.scimConfigurations;

  it("finds a configuration by its current or a rotated-out token in one lookup, and by an access token", async () => {
    const org = randomUUID();
    const old = previous();
    const r = record(org, { previousTokens: [old], accessTokens: [{ hash: hash(), secretId: newId(), expiresAt: at(3600) }] });
    await store().create(r);
    expect((await store().findByTokenHash(r.tokenHash))?.id).toBe(r.id);
    expect((await store().findByTokenHash(old.hash))?.id).toBe(r.id);
    expect(await store().findByTokenHash(hash())).toBeUndefined();
    expect((await store().findByAccessTokenHash(r.accessTokens![0]!.hash))?.id).toBe(r.id);
    expect(await store().findByAccessTokenHash(old.hash)).toBeUndefined();
    expect(await store().findById(r.id)).toEqual(r);
  });

  it("writes credentials only while the version read is current, and bumps it", async () => {
    const org = randomUUID();
    const r = record(org);
    await store().create(r);
    const kept = previous();
    const first = await store().writeCredentials(org, r.id, { expectedVersion: undefined, set: { previousTokens: [kept] }, updatedAt: at(10) });
    expect(first).toMatchObject({ previousTokens: [kept], credentialVersion: 1, updatedAt: at(10) });
    // A writer that read before the first write loses, and changes nothing.
    expect(await store().writeCredentials(org, r.id, { expectedVersion: undefined, set: { previousTokens: [] } })).toBe("conflict");
    expect((await store().findByTokenHash(kept.hash))?.id).toBe(r.id);
    // Another organization's, or no record: undefined.
    expect(await store().writeCredentials(randomUUID(), r.id, { expectedVersion: 1, set: { previousTokens: [] } })).toBeUndefined();
    // The rotated-out token's index entry goes with it; updatedAt never moves backwards.
    const second = await store().writeCredentials(org, r.id, { expectedVersion: 1, set: { previousTokens: [] }, updatedAt: at(5) });
    expect(second).toMatchObject({ previousTokens: [], credentialVersion: 2, updatedAt: at(10) });
    expect(await store().findByTokenHash(kept.hash)).toBeUndefined();
  });

  it("a regenerate (one write, no read) ends rotated-out tokens, forgets their use, and beats a compare-and-set computed before it", async () => {
    const org = randomUUID();
    const r = record(org, { previousTokens: [previous()] });
    await store().create(r);
    await store().recordUse(r.id, [{ kind: "token", id: r.tokenId!, use: { at: at(1), address: "127.0.0.1", userAgent: "Okta" } }]);
    const read = (await store().get(org, r.id))!;
    const rotation = { tokenHash: hash(), issuedAt: at(20), tokenId: newId(), tokenPrefix: "scim_new0" };
    const after = await store().rotateToken(org, r.id, rotation, at(20));
    expect(after).toMatchObject({ tokenHash: rotation.tokenHash, tokenId: rotation.tokenId, tokenPrefix: "scim_new0", tokenIssuedAt: at(20) });
    expect(after?.previousTokens).toBeUndefined();
    expect(after?.tokenUsage).toBeUndefined();
    expect(await store().findByTokenHash(r.previousTokens![0]!.hash)).toBeUndefined();
    expect(await store().findByTokenHash(r.tokenHash)).toBeUndefined();
    // A rotation with an overlap that read before the regenerate cannot bring the old tokens back.
    expect(await store().writeCredentials(org, r.id, { expectedVersion: read.credentialVersion, set: { previousTokens: read.previousTokens! } })).toBe("conflict");
  });

  it("refuses a token hash another configuration holds as a key collision", async () => {
    const org = randomUUID();
    const a = record(org);
    const b = record(org);
    await store().create(a);
    await store().create(b);
    if (kind === "memory") {
      // MongoDB's index on rotated-out hashes is not unique (documents without any would collide); 238-bit tokens do not.
      await expect(store().writeCredentials(org, b.id, { expectedVersion: undefined, set: { previousTokens: [previous({ hash: a.tokenHash })] } })).rejects.toBeInstanceOf(KeyCollisionError);
    }
    await expect(store().rotateToken(org, b.id, { tokenHash: a.tokenHash, issuedAt: t0, tokenId: newId(), tokenPrefix: "scim_x" }, t0)).rejects.toBeInstanceOf(KeyCollisionError);
  });

  it("records uses in one write per call, drops those of gone credentials, and ignores a deleted configuration", async () => {
    const org = randomUUID();
    const r = record(org);
    await store().create(r);
    const secretId = newId();
    await store().recordUse(r.id, [
      { kind: "token", id: r.tokenId!, use: { at: at(1), address: "::1", userAgent: "Entra" } },
      { kind: "secret", id: secretId, use: { at: at(2), address: "127.0.0.2", userAgent: "" } },
    ]);
    const read = (await store().get(org, r.id))!;
    expect(read.tokenUsage).toEqual({ [r.tokenId!]: { at: at(1), address: "::1", userAgent: "Entra" } });
    expect(read.secretUsage).toEqual({ [secretId]: { at: at(2), address: "127.0.0.2", userAgent: "" } });
    const dropped = await store().writeCredentials(org, r.id, { expectedVersion: read.credentialVersion, set: {}, dropSecretUsage: [secretId] });
    expect(dropped).not.toBe("conflict");
    expect((dropped as ScimConfigurationRecord).secretUsage ?? {}).toEqual({});
    expect((dropped as ScimConfigurationRecord).tokenUsage).toEqual(read.tokenUsage);
    await store().delete(org, r.id);
    await store().recordUse(r.id, [{ kind: "token", id: r.tokenId!, use: { at: at(3), address: "::1", userAgent: "" } }]);
    expect(await store().findById(r.id)).toBeUndefined();
  });

  it("replaces the IP allowlist within the organization only, and deletes every credential with the configuration", async () => {
    const org = randomUUID();
    const r = record(org, { previousTokens: [previous()], accessTokens: [{ hash: hash(), secretId: newId(), expiresAt: at(60) }] });
    await store().create(r);
    expect(await store().setIpAllowlist(randomUUID(), r.id, ["10.0.0.0/8"], at(1))).toBeUndefined();
    expect(await store().setIpAllowlist(org, r.id, ["10.0.0.0/8", "2001:db8::/32"], at(1))).toMatchObject({ ipAllowlist: ["10.0.0.0/8", "2001:db8::/32"], updatedAt: at(1) });
    expect(await store().delete(org, r.id)).toBe(true);
    expect(await store().findByTokenHash(r.previousTokens![0]!.hash)).toBeUndefined();
    expect(await store().findByAccessTokenHash(r.accessTokens![0]!.hash)).toBeUndefined();
  });
});

describe("documents written before issue 13 (MongoDB)", () => {
  let stores: MongoStores;
  const database = `t_${randomUUID().replaceAll("-", "")}`;
  beforeAll(async () => {
    stores = await createMongoStores({ uri: inject("mongoUri"), database, operationTimeoutMs: 5000, clientOptions: { monitorCommands: true } });
  });
  afterAll(() => stores.close());

  it("work as they are: no token id, prefix, version or credential arrays (no migration step)", async () => {
    const org = randomUUID();
    const id = newId();
    const tokenHash = hash();
    // An older release's document, with the expiry stored instead of the issue time.
    await stores.client.db(database).collection("scim_configurations").insertOne({
      _id: id as never,
      organizationId: org,
      name: "",
      enabled: true,
      ssoConfigurationId: randomUUID(),
      allowUnverifiedEmailAccountLinking: false,
      createdAt: t0,
      updatedAt: t0,
      tokenHash,
      tokenLifetimeSeconds: 86400 * 10,
      tokenExpiresAt: at(86400 * 10),
    });
    const found = (await stores.scimConfigurations.findByTokenHash(tokenHash))!;
    expect(found.tokenIssuedAt).toEqual(t0);
    // The derived id is stable, so the token can be listed, used and revoked by it.
    expect(currentTokenId(found)).toBe(currentTokenId((await stores.scimConfigurations.get(org, id))!));
    expect(currentTokenId(found)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const kept = previous();
    const written = await stores.scimConfigurations.writeCredentials(org, id, { expectedVersion: undefined, set: { previousTokens: [kept] } });
    expect(written).toMatchObject({ credentialVersion: 1, previousTokens: [kept], tokenHash });
  });

  it("RegenerateSCIMToken is one findAndModify that reads nothing first", async () => {
    const org = randomUUID();
    const r = record(org, { previousTokens: [previous()] });
    await stores.scimConfigurations.create(r);
    const recorder = recordCommands(stores.client);
    await stores.scimConfigurations.rotateToken(org, r.id, { tokenHash: hash(), issuedAt: at(5), tokenId: newId(), tokenPrefix: "scim_one1" }, at(5));
    recorder.stop();
    expect(recorder.commands.map((c) => `${c.command} ${c.collection}`)).toEqual(["findAndModify scim_configurations"]);
  });
});
