import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import { newId } from "../../src/domain/ids.js";
import type { ScimConfigurationRecord } from "../../src/domain/records.js";
import { ScimTokenVerifier } from "../../src/domain/scim-token-verifier.js";
import {
  ACCESS_TOKEN,
  accessTokenConfigurationId,
  CLIENT_SECRET,
  generateAccessToken,
  generateToken,
  hashSecret,
  isWellFormed,
  recognitionPrefix,
  SCIM_TOKEN,
} from "../../src/domain/secret-token.js";
import { ManualClock } from "../support/manual-clock.js";

describe("OAuth access tokens name their configuration", () => {
  it("carry the configuration id, readable only from a token whose every character is intact", () => {
    const id = newId();
    const token = generateAccessToken(id);
    expect(token).toMatch(new RegExp(`^scimat_${id}_[0-9A-Za-z]{46}$`));
    expect(accessTokenConfigurationId(token)).toBe(id);
    expect(generateAccessToken(id)).not.toBe(token);
    for (let i = 0; i < token.length; i++) {
      const c = token[i] === "A" ? "B" : "A";
      expect(accessTokenConfigurationId(token.slice(0, i) + c + token.slice(i + 1))).toBeUndefined();
    }
    expect(accessTokenConfigurationId(token.slice(0, -1))).toBeUndefined();
    expect(accessTokenConfigurationId(`${token}x`)).toBeUndefined();
    expect(accessTokenConfigurationId(generateToken(ACCESS_TOKEN))).toBeUndefined();
    expect(accessTokenConfigurationId(generateToken(SCIM_TOKEN))).toBeUndefined();
    expect(isWellFormed(SCIM_TOKEN, token)).toBe(false);
    // An id that is not a UUID cannot be carried at a fixed width: the earlier form, found by hash.
    expect(isWellFormed(ACCESS_TOKEN, generateAccessToken("not-a-uuid"))).toBe(true);
  });
});

describe("ScimTokenVerifier with access tokens", () => {
  const clock = new ManualClock(new Date("2026-11-27T00:00:00Z"));
  const now = clock.now();
  const secretId = newId(now);
  const inAnHour = new Date(now.getTime() + 3600_000);

  function configuration(accessTokens: string[]): ScimConfigurationRecord {
    const scimToken = generateToken(SCIM_TOKEN);
    const secret = generateToken(CLIENT_SECRET);
    return {
      id: newId(now),
      organizationId: randomUUID(),
      name: "c",
      enabled: true,
      ssoConfigurationId: randomUUID(),
      allowUnverifiedEmailAccountLinking: false,
      createdAt: now,
      updatedAt: now,
      tokenHash: hashSecret(scimToken),
      tokenId: newId(now),
      tokenPrefix: recognitionPrefix(SCIM_TOKEN, scimToken),
      tokenIssuedAt: now,
      tokenLifetimeSeconds: 86400,
      clientSecrets: [{ id: secretId, hash: hashSecret(secret), prefix: recognitionPrefix(CLIENT_SECRET, secret), createdAt: now, expiresAt: inAnHour }],
      accessTokens: accessTokens.map((t) => ({ hash: hashSecret(t), secretId, expiresAt: inAnHour })),
    };
  }

  it("finds the configuration by the id the token names, and the token among its live access tokens", async () => {
    const stores = createMemoryStores();
    const id = newId(now);
    const token = generateAccessToken(id);
    const record = { ...configuration([token]), id };
    await stores.scimConfigurations.create(record);
    const verifier = new ScimTokenVerifier(stores.scimConfigurations, clock);
    expect(await verifier.verify(token)).toMatchObject({ ok: true, configuration: { id }, credential: { kind: "secret", id: secretId } });
    // Well formed, naming the configuration, but not one of its tokens.
    expect(await verifier.verify(generateAccessToken(id))).toEqual({ ok: false, reason: "unknown" });
    // A configuration's token presented under another configuration's id.
    const other = { ...configuration([]), id: newId(now) };
    await stores.scimConfigurations.create(other);
    const forged = `scimat_${other.id}${token.slice(`scimat_${id}`.length)}`;
    expect(await verifier.verify(forged)).toEqual({ ok: false, reason: "malformed" });
    clock.advance(3600_000);
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: "expired" });
    clock.set(now);
  });

  it("still takes an access token issued before tokens named their configuration (found by its hash)", async () => {
    const stores = createMemoryStores();
    const legacy = generateToken(ACCESS_TOKEN);
    const record = configuration([legacy]);
    await stores.scimConfigurations.create(record);
    const verifier = new ScimTokenVerifier(stores.scimConfigurations, clock);
    expect(await verifier.verify(legacy)).toMatchObject({ ok: true, configuration: { id: record.id } });
    expect(await verifier.verify(generateToken(ACCESS_TOKEN))).toEqual({ ok: false, reason: "unknown" });
  });
});
