import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMongoStores, type MongoStores } from "../../src/adapters/mongo/connection.js";
import { CredentialUsage } from "../../src/domain/credentials/credential-usage.js";
import type { CredentialUseWrite } from "../../src/domain/ports.js";
import { credentialsClient, seconds } from "../support/credentials-client.js";
import { recordCommands, type CommandRecorder } from "../support/index-coverage.js";
import { ManualClock } from "../support/manual-clock.js";
import { createScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const MINUTE = 60_000;

describe("CredentialUsage (coalescing, manual clock)", () => {
  const writes: Array<{ id: string; uses: readonly CredentialUseWrite[] }> = [];
  const clock = new ManualClock(new Date("2026-04-01T00:00:00Z"));
  const usage = new CredentialUsage({ store: { recordUse: async (id, uses) => void writes.push({ id, uses }) }, clock, onError: (err) => { throw err; } });

  it("writes a credential's first use at once, then at most once a minute however often it is used", async () => {
    const token = { kind: "token" as const, id: "t1" };
    // 6,000 uses over 5 minutes: one every 50 ms, flushing every 5 s as the app does.
    for (let i = 0; i < 6000; i++) {
      usage.note("c1", token, "127.0.0.1", `Okta ${i}`);
      clock.advance(50);
      if (i % 100 === 99) await usage.flush();
    }
    await usage.flush();
    const mine = writes.filter((w) => w.id === "c1");
    // Minutes 0..4: the first use at once, then one per passed minute.
    expect(mine.length).toBeLessThanOrEqual(6);
    expect(mine.length).toBeGreaterThanOrEqual(5);
    const times = mine.map((w) => w.uses[0]!.use.at.getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(MINUTE - 5_000);
    // What is written is the latest use when it is written, never an older one.
    expect(mine.at(-1)!.uses[0]!.use.userAgent).toMatch(/^Okta \d+$/);
  });

  it("writes a pending use at shutdown (flush all), and the uses of one configuration together", async () => {
    writes.length = 0;
    usage.note("c2", { kind: "token", id: "a" }, "::1", "x");
    usage.note("c2", { kind: "secret", id: "b" }, "::1", "y");
    expect(writes).toHaveLength(2);
    usage.note("c2", { kind: "token", id: "a" }, "::1", "x2");
    usage.note("c2", { kind: "secret", id: "b" }, "::1", "y2");
    await usage.flush();
    expect(writes).toHaveLength(2);
    await usage.flush(true);
    expect(writes).toHaveLength(3);
    expect(writes[2]!.uses.map((u) => u.use.userAgent)).toEqual(["x2", "y2"]);
  });

  it("keeps a User-Agent to 256 characters", () => {
    writes.length = 0;
    usage.note("c3", { kind: "token", id: "z" }, "::1", "u".repeat(1000));
    expect(writes[0]!.uses[0]!.use.userAgent).toHaveLength(256);
  });
});

describe("last use through the real server (MongoDB): moves on use, one database write per token per minute", () => {
  let stores: MongoStores;
  let server: TestServer;
  let recorder: CommandRecorder;
  const clock = new ManualClock(new Date("2026-04-01T00:00:00Z"));
  beforeAll(async () => {
    stores = await createMongoStores({ uri: inject("mongoUri"), database: `t_${randomUUID().replaceAll("-", "")}`, operationTimeoutMs: 5000, clientOptions: { monitorCommands: true } });
    server = await startTestServer({ stores, clock, env: { SCIM_RATE_PER_SECOND: "0" } });
    recorder = recordCommands(stores.client);
  });
  afterAll(async () => {
    recorder.stop();
    await server.close();
  });

  const usageWrites = () => recorder.commands.filter((c) => c.command === "update" && c.collection === "scim_configurations").length;
  const get = (token: string, userAgent: string) =>
    fetch(`${server.baseUrl}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}`, "user-agent": userAgent } }).then((r) => r.status);

  it("shows the use in ListSCIMTokens (time, address, user agent) and counts the writes", async () => {
    const tenant = await createScimTenant(server);
    const creds = credentialsClient(server.baseUrl, server.adminKey);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(3600) });
    recorder.clear();
    // Minute 0: 50 calls with each token.
    for (let i = 0; i < 50; i++) expect([await get(tenant.token, "Okta/2024.1"), await get(rotated.token, "Entra/1.0")]).toEqual([200, 200]);
    await server.app.credentialUsage.flush();
    expect(usageWrites()).toBe(2);
    let tokens = (await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens;
    expect(tokens.map((t) => [t.lastUse?.clientAddress, t.lastUse?.userAgent])).toEqual([
      ["127.0.0.1", "Entra/1.0"],
      ["127.0.0.1", "Okta/2024.1"],
    ]);
    const firstSeen = tokens[0]!.lastUse!.usedAt;
    // Minute 1: the new token's first call writes at once; the old token's last use of minute 0,
    // held in memory, is written by the flush. One more write per token, not per call.
    clock.advance(MINUTE);
    for (let i = 0; i < 50; i++) await get(rotated.token, "Entra/1.1");
    await server.app.credentialUsage.flush();
    expect(usageWrites()).toBe(4);
    clock.advance(30_000);
    for (let i = 0; i < 20; i++) await get(rotated.token, "Entra/1.2");
    await server.app.credentialUsage.flush();
    expect(usageWrites()).toBe(4);
    clock.advance(30_000);
    await server.app.credentialUsage.flush();
    expect(usageWrites()).toBe(5);
    tokens = (await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens;
    expect(tokens[0]!.lastUse!.userAgent).toBe("Entra/1.2");
    expect(Number(tokens[0]!.lastUse!.usedAt!.seconds)).toBeGreaterThan(Number(firstSeen!.seconds));
    // The old token was not used again: its last use stays where it was.
    expect(tokens[1]!.lastUse!.userAgent).toBe("Okta/2024.1");
    // 170 authenticated calls, 5 usage writes (2 tokens, 3 minutes); no write per call.
    expect(recorder.commands.filter((c) => c.collection === "scim_configurations" && c.command !== "find").length).toBe(5);
  });

  it("a regenerate forgets the uses of the tokens it ends", async () => {
    const tenant = await createScimTenant(server);
    await get(tenant.token, "Okta");
    await server.app.credentialUsage.flush();
    const creds = credentialsClient(server.baseUrl, server.adminKey);
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens[0]!.lastUse).toBeDefined();
    await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId });
    expect((await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId })).tokens[0]!.lastUse).toBeUndefined();
  });
});
