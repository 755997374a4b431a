import { execFile, execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MongoStores } from "../../src/adapters/mongo/connection.js";
import { loadConfig } from "../../src/config.js";
import { openStores } from "../../src/open-stores.js";
import { postJson } from "../support/clients.js";
import { credentialsClient, seconds } from "../support/credentials-client.js";
import { requestFrom } from "../support/from-address.js";
import { freePort } from "../support/ferretdb.js";
import { startServiceProcess, type ServiceProcess } from "../support/process.js";

/**
 * Two replicas of the service (real processes, `node dist/src/main.js`) on one database, as
 * operators run them behind a load balancer (docs/deploying.md). Every rule must hold whichever
 * replica a call lands on: a change made through one is honoured by the other at once for SCIM
 * tokens (never cached), within API_KEY_CACHE_TTL_MS for API keys (cached per process), and the
 * per-configuration SCIM rate limit holds as a per-replica share (SCIM_RATE_REPLICAS), and the
 * credentials of docs/credentials.md (rotations, revocations, allowlists, OAuth access tokens)
 * change on both replicas with the write.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

/** Low, so that the bound is checked in a short test (default 5000 ms). */
const API_KEY_CACHE_TTL_MS = 1000;
/** The configured total, shared by the two replicas: each enforces 0.5/s and a burst of 10. */
const RATE = { perSecond: 1, burst: 20, replicas: 2 };

beforeAll(() => {
  // `npm test` builds first; this keeps the file runnable on its own.
  if (!existsSync(`${root}dist/src/main.js`)) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}, 120_000);

describe("two replicas on one database", () => {
  const organizationId = randomUUID();
  const adminKey = randomBytes(24).toString("hex");
  const env = {
    MONGODB_URI: inject("mongoUri"),
    MONGODB_DB: `replicas_${randomUUID().replaceAll("-", "")}`,
    HOST: "127.0.0.1",
    INIT_ORGANIZATION_ID: organizationId,
    INIT_ADMIN_API_KEY: adminKey,
    API_KEY_CACHE_TTL_MS: String(API_KEY_CACHE_TTL_MS),
    SCIM_RATE_PER_SECOND: String(RATE.perSecond),
    SCIM_RATE_BURST: String(RATE.burst),
    SCIM_RATE_REPLICAS: String(RATE.replicas),
    // info: the start-up line is how startServiceProcess knows a replica listens.
    LOG_LEVEL: "info",
  };
  const replicas: { process: ServiceProcess; baseUrl: string }[] = [];
  const A = () => replicas[0]!.baseUrl;
  const B = () => replicas[1]!.baseUrl;

  beforeAll(async () => {
    // One after the other: both create the indexes at start-up, which FerretDB does not take concurrently.
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      replicas.push({ process: await startServiceProcess("node", ["dist/src/main.js"], { ...env, PORT: String(port) }, root), baseUrl: `http://127.0.0.1:${port}` });
    }
  }, 120_000);
  afterAll(async () => {
    for (const r of replicas) expect(await r.process.stop()).toBe(0);
  });

  /** A SCIM configuration created through `base`, with its token. */
  const createTenant = async (base: string) => {
    const sso = await postJson(base, "CreateSSOConfiguration", { organizationId, clientId: `c-${randomUUID()}`, clientSecret: "s", issuerUrl: "https://idp.example.com" }, adminKey);
    expect(sso.status).toBe(200);
    const created = await postJson(base, "CreateSCIMConfiguration", { organizationId, ssoConfigurationId: sso.json.ssoConfiguration.id }, adminKey);
    expect(created.status).toBe(200);
    return { id: created.json.scimConfiguration.id as string, token: created.json.token as string };
  };
  const scimStatus = async (base: string, token: string, path = "/ServiceProviderConfig") => {
    const res = await fetch(`${base}/scim/v2${path}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };

  /**
   * Waits until the first use of the configuration's token (written at once, after the call that
   * used it) is stored. FerretDB v1 runs an update as an unisolated read and write of the whole
   * document, so that write, still in flight on one replica, could undo a change written through
   * the other (a documented FerretDB limit: docs/credentials.md; MongoDB applies each update
   * atomically). The tests below are about the change, so they let that write land first.
   */
  const firstUseStored = (tenantId: string) =>
    expect
      .poll(async () => (await credentialsClient(A(), adminKey).listSCIMTokens({ scimConfigurationId: tenantId })).tokens.some((t) => t.lastUse !== undefined), {
        timeout: 5000,
        interval: 20,
      })
      .toBe(true);

  it("a configuration created through one replica is served by the other at once", async () => {
    const tenant = await createTenant(A());
    expect(await scimStatus(B(), tenant.token, "/Users")).toBe(200);
    const read = await postJson(B(), "GetSCIMConfiguration", { scimConfigurationId: tenant.id }, adminKey);
    expect(read.status).toBe(200);
    expect(read.json.scimConfiguration.id).toBe(tenant.id);
  });

  it("a token regenerated through one replica stops on the other at once, and the new one works there at once", async () => {
    const tenant = await createTenant(A());
    expect(await scimStatus(B(), tenant.token)).toBe(200);
    await firstUseStored(tenant.id);
    const regenerated = await postJson(A(), "RegenerateSCIMToken", { scimConfigurationId: tenant.id }, adminKey);
    expect(regenerated.status).toBe(200);
    expect(await scimStatus(B(), tenant.token)).toBe(401);
    expect(await scimStatus(B(), regenerated.json.token)).toBe(200);
    expect(await scimStatus(A(), tenant.token)).toBe(401);
  });

  it("a configuration deleted through one replica stops authenticating on the other at once", async () => {
    const tenant = await createTenant(B());
    expect(await scimStatus(A(), tenant.token)).toBe(200);
    expect((await postJson(B(), "DeleteSCIMConfiguration", { scimConfigurationId: tenant.id }, adminKey)).status).toBe(200);
    expect(await scimStatus(A(), tenant.token)).toBe(401);
  });

  it("a configuration disabled through one replica is 403 on the other at once, and enabled again at once", async () => {
    const tenant = await createTenant(A());
    expect(await scimStatus(B(), tenant.token)).toBe(200);
    await firstUseStored(tenant.id);
    expect((await postJson(A(), "UpdateSCIMConfiguration", { scimConfigurationId: tenant.id, enabled: false }, adminKey)).status).toBe(200);
    expect(await scimStatus(B(), tenant.token)).toBe(403);
    expect((await postJson(A(), "UpdateSCIMConfiguration", { scimConfigurationId: tenant.id, enabled: true }, adminKey)).status).toBe(200);
    expect(await scimStatus(B(), tenant.token)).toBe(200);
  });

  it(`an API key revoked elsewhere stops on both replicas within API_KEY_CACHE_TTL_MS (${API_KEY_CACHE_TTL_MS} ms)`, async () => {
    const cli = (...args: string[]) => run("node", ["dist/src/cli/admin.js", "keys", ...args], { cwd: root, env: { ...process.env, ...env } });
    const created = (await cli("create", "--organization", organizationId, "--role", "admin", "--name", "replica test")).stdout;
    const keyId = /created admin key (\S+)/.exec(created)![1]!;
    const key = /API key \(shown only now, store it securely\): (\S+)/.exec(created)![1]!;
    // Both replicas find the key and keep it in their caches.
    for (const base of [A(), B()]) expect((await postJson(base, "ListSCIMConfigurations", {}, key)).status).toBe(200);
    await cli("revoke", keyId);
    // The revocation is stored before the CLI exits: from here each replica has at most the TTL.
    const revokedAt = performance.now();
    const stoppedAfter = await Promise.all(
      [A(), B()].map(async (base) => {
        for (;;) {
          const status = (await postJson(base, "ListSCIMConfigurations", {}, key)).status;
          if (status === 401) return performance.now() - revokedAt;
          expect(status).toBe(200);
          if (performance.now() - revokedAt > API_KEY_CACHE_TTL_MS + 5000) throw new Error("the revoked key still works long after the bound");
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );
    console.log(`API key revoked elsewhere: refused by the replicas ${stoppedAfter.map((ms) => `${Math.round(ms)} ms`).join(" and ")} after the revoke (bound ${API_KEY_CACHE_TTL_MS} ms)`);
    // The bound, plus the time one poll takes (a request on a shared machine).
    for (const ms of stoppedAfter) expect(ms).toBeLessThanOrEqual(API_KEY_CACHE_TTL_MS + 250);
    // And it stays refused on both.
    for (const base of [A(), B()]) expect((await postJson(base, "ListSCIMConfigurations", {}, key)).status).toBe(401);
  });

  it(`the per-configuration SCIM rate limit holds across replicas as a per-replica share (SCIM_RATE_REPLICAS=${RATE.replicas})`, async () => {
    const tenant = await createTenant(A());
    const share = { burst: RATE.burst / RATE.replicas, perSecond: RATE.perSecond / RATE.replicas };
    /** `n` calls to each replica at once; how many each let through, and how long it took. */
    const volley = async (n: number) => {
      const started = performance.now();
      const statuses = await Promise.all([A(), B()].map((base) => Promise.all(Array.from({ length: n }, () => scimStatus(base, tenant.token)))));
      const seconds = (performance.now() - started) / 1000;
      for (const s of statuses.flat()) expect([200, 429]).toContain(s);
      return { ok: statuses.map((s) => s.filter((x) => x === 200).length), seconds };
    };

    // The burst: each replica lets its share through, together the configured total (plus what
    // refills while the volley runs), where one replica alone would have allowed the whole burst.
    const burst = await volley(RATE.burst);
    for (const ok of burst.ok) {
      expect(ok).toBeGreaterThanOrEqual(share.burst);
      expect(ok).toBeLessThanOrEqual(share.burst + Math.ceil(share.perSecond * burst.seconds));
    }
    const total = burst.ok[0]! + burst.ok[1]!;
    console.log(`SCIM rate share: ${RATE.burst} calls to each replica at once let through ${burst.ok.join(" + ")} = ${total} in ${burst.seconds.toFixed(2)} s (configured burst ${RATE.burst})`);
    expect(total).toBeGreaterThanOrEqual(RATE.burst);
    expect(total).toBeLessThanOrEqual(RATE.burst + Math.ceil(RATE.perSecond * burst.seconds) + 1);

    // The sustained rate: after an idle spell, together they refill at the configured rate.
    const idleSeconds = 4;
    const idleFrom = performance.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const refill = await volley(RATE.burst);
    const elapsed = (performance.now() - idleFrom) / 1000;
    const refilled = refill.ok[0]! + refill.ok[1]!;
    console.log(`SCIM rate share: after ${elapsed.toFixed(1)} s, ${refill.ok.join(" + ")} = ${refilled} more (configured rate ${RATE.perSecond}/s)`);
    expect(refilled).toBeGreaterThanOrEqual(Math.floor(RATE.perSecond * idleSeconds) - 1);
    expect(refilled).toBeLessThanOrEqual(Math.ceil(RATE.perSecond * elapsed) + 2);
  }, 30_000);

  // Issue 13's credentials: every change is a store write that the other replica reads on the
  // next request (SCIM tokens, allowlists and access tokens are never cached).
  const creds = (base: string) => credentialsClient(base, adminKey);
  const portOf = (base: string) => Number(new URL(base).port);

  it("an overlapping token (rotation with an overlap window) works on both replicas until the overlap ends, then is 401 on both", async () => {
    const tenant = await createTenant(A());
    const overlapSeconds = 3;
    const rotated = await creds(A()).rotateSCIMToken({ scimConfigurationId: tenant.id, overlap: seconds(overlapSeconds) });
    const overlapEnd = timestampDate(rotated.overlapEndsAt!).getTime();
    for (const base of [A(), B()]) {
      expect(await scimStatus(base, tenant.token)).toBe(200);
      expect(await scimStatus(base, rotated.token)).toBe(200);
    }
    // Both replicas read the same end: past it, the old token is refused everywhere.
    await new Promise((r) => setTimeout(r, Math.max(0, overlapEnd - Date.now()) + 250));
    for (const base of [B(), A()]) {
      expect(await scimStatus(base, tenant.token)).toBe(401);
      expect(await scimStatus(base, rotated.token)).toBe(200);
    }
  }, 20_000);

  it("a token revoked by id through one replica stops on the other at once", async () => {
    const tenant = await createTenant(A());
    const rotated = await creds(A()).rotateSCIMToken({ scimConfigurationId: tenant.id, overlap: seconds(3600) });
    expect(await scimStatus(B(), tenant.token)).toBe(200);
    const listed = await creds(B()).listSCIMTokens({ scimConfigurationId: tenant.id });
    const old = listed.tokens.find((t) => !t.current)!;
    expect(old.prefix).toBe(tenant.token.slice(0, old.prefix.length));
    await firstUseStored(tenant.id);
    await creds(A()).revokeSCIMToken({ scimConfigurationId: tenant.id, tokenId: old.id });
    expect(await scimStatus(B(), tenant.token)).toBe(401);
    expect(await scimStatus(B(), rotated.token)).toBe(200);
  });

  it("an allowlist change made through one replica applies on the other at once (403 from a removed address, 200 from an added one)", async () => {
    const tenant = await createTenant(A());
    const from = async (address: string, base: string) =>
      (await requestFrom(address, portOf(base), "/scim/v2/ServiceProviderConfig", { headers: { authorization: `Bearer ${tenant.token}` } })).status;
    await creds(A()).setSCIMIPAllowlist({ scimConfigurationId: tenant.id, cidrs: ["127.0.0.1/32"] });
    expect(await from("127.0.0.1", B())).toBe(200);
    expect(await from("127.0.0.2", B())).toBe(403);
    await creds(B()).setSCIMIPAllowlist({ scimConfigurationId: tenant.id, cidrs: ["127.0.0.2/32"] });
    expect(await from("127.0.0.1", A())).toBe(403);
    expect(await from("127.0.0.2", A())).toBe(200);
  });

  it("an OAuth access token issued by one replica is accepted by the other, and dies on both with its client secret", async () => {
    const tenant = await createTenant(A());
    const secret = await creds(A()).createSCIMClientSecret({ scimConfigurationId: tenant.id });
    const issued = await fetch(`${A()}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret }).toString(),
    });
    expect(issued.status).toBe(200);
    const { access_token: accessToken } = (await issued.json()) as { access_token: string };
    expect(await scimStatus(B(), accessToken, "/Users")).toBe(200);
    await creds(B()).revokeSCIMClientSecret({ scimConfigurationId: tenant.id, secretId: secret.secret!.id });
    expect(await scimStatus(A(), accessToken, "/Users")).toBe(401);
    expect(await scimStatus(B(), accessToken, "/Users")).toBe(401);
  });
});

describe("database client settings for replicas", () => {
  it("reads from the primary even when MONGODB_URI asks for secondaries, and monitors commands only when DB_COMMAND_METRICS=on", async () => {
    const uri = `${inject("mongoUri").replace(/\/?$/, "/")}?readPreference=secondaryPreferred`;
    const stores = (await openStores(loadConfig({ MONGODB_URI: uri, MONGODB_DB: `rp_${randomUUID().replaceAll("-", "")}` }))) as MongoStores;
    try {
      expect(stores.client.readPreference.mode).toBe("primary");
      expect(stores.client.options.monitorCommands).toBe(false);
    } finally {
      await stores.close();
    }
    const monitored = (await openStores(loadConfig({ MONGODB_URI: uri, MONGODB_DB: `rp_${randomUUID().replaceAll("-", "")}`, DB_COMMAND_METRICS: "on" }))) as MongoStores;
    try {
      expect(monitored.client.options.monitorCommands).toBe(true);
    } finally {
      await monitored.close();
    }
  });
});
