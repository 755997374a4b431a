import { createHash, randomUUID } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logging/logger.js";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { clientFor, postJson } from "../support/clients.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;

describe("secrets at rest, bootstrap keys and the admin CLI (FerretDB)", () => {
  const database = `t_${randomUUID().replaceAll("-", "")}`;
  const uri = inject("mongoUri");
  const org = randomUUID();
  const initKey = `init-${randomUUID()}-${randomUUID()}`;
  let mongo: MongoClient;

  beforeAll(async () => {
    mongo = await new MongoClient(uri).connect();
  });
  afterAll(async () => {
    await mongo.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", MONGODB_URI: uri, MONGODB_DB: database, INIT_ORGANIZATION_ID: org, INIT_ADMIN_API_KEY: initKey, ...env });
    const stores = await createMongoStores({ uri, database, operationTimeoutMs: 5000 });
    return startApp({ config, stores, logger: createLogger("silent") });
  };

  it("keeps only hashes of tokens, keys and client secrets in the database", async () => {
    const app = await start();
    try {
      const base = `http://127.0.0.1:${app.listener.address.port}`;
      const client = clientFor("connect-json", base, initKey);
      const secret = `client-secret-${randomUUID()}`;
      const sso = await client.createSSOConfiguration({ organizationId: org, clientId: "c", clientSecret: secret, issuerUrl: "https://idp.example.com" });
      const created = await client.createSCIMConfiguration({ organizationId: org, ssoConfigurationId: sso.ssoConfiguration!.id });
      const regenerated = await client.regenerateSCIMToken({ scimConfigurationId: created.scimConfiguration!.id });

      const db = mongo.db(database);
      const everything = JSON.stringify([
        await db.collection("scim_configurations").find().toArray(),
        await db.collection("sso_configurations").find().toArray(),
        await db.collection("api_keys").find().toArray(),
      ]);
      for (const plaintext of [created.token, regenerated.token, secret, initKey]) expect(everything).not.toContain(plaintext);
      const doc = await db.collection("scim_configurations").findOne({ _id: created.scimConfiguration!.id as never });
      expect(doc!.tokenHash).toBe(sha256(regenerated.token));
      expect((await db.collection("sso_configurations").findOne({}))!.clientSecretHash).toBe(sha256(secret));
      expect((await db.collection("api_keys").findOne({ organizationId: org }))!.keyHash).toBe(sha256(initKey));

      const got = await postJson(base, "GetSSOConfiguration", { ssoConfigurationId: sso.ssoConfiguration!.id }, initKey);
      expect(JSON.stringify(got.json)).not.toContain(secret);
    } finally {
      await app.close(100);
    }
  });

  it("bootstraps INIT_ADMIN_API_KEY idempotently and never invents a development key on MongoDB", async () => {
    const app = await start();
    try {
      expect(app.developmentKey).toBeUndefined();
      const keys = await mongo.db(database).collection("api_keys").find({ organizationId: org }).toArray();
      expect(keys).toHaveLength(1);
      expect(keys[0]!.role).toBe("admin");
    } finally {
      await app.close(100);
    }
  });

  it("admin CLI creates, lists and revokes keys; a revoked key is refused at once", async () => {
    const env = { ...process.env, MONGODB_URI: uri, MONGODB_DB: database };
    const created = await run("node", ["dist/src/cli/admin.js", "keys", "create", "--organization", org, "--role", "member", "--name", "ci"], { cwd: root, env });
    const key = /API key \(shown only now, store it securely\): (\S+)/.exec(created.stdout)![1]!;
    const id = /created member key (\S+)/.exec(created.stdout)![1]!;
    const listed = await run("node", ["dist/src/cli/admin.js", "keys", "list", "--organization", org], { cwd: root, env });
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(key);

    // The CLI revokes in another process, which a server honours within API_KEY_CACHE_TTL_MS;
    // with the cache off that is at once (the bound itself is tested in api-key-cache.test.ts).
    const app = await start({ API_KEY_CACHE_TTL_MS: "0" });
    try {
      const base = `http://127.0.0.1:${app.listener.address.port}`;
      expect((await postJson(base, "ListSCIMConfigurations", {}, key)).status).toBe(200);
      expect((await postJson(base, "CreateSSOConfiguration", { organizationId: org }, key)).json.code).toBe("permission_denied");
      await run("node", ["dist/src/cli/admin.js", "keys", "revoke", id], { cwd: root, env });
      const after = await postJson(base, "ListSCIMConfigurations", {}, key);
      expect(after.status).toBe(401);
      expect(after.json.code).toBe("unauthenticated");
    } finally {
      await app.close(100);
    }

    const bad = await run("node", ["dist/src/cli/admin.js", "keys", "create", "--organization", "nope", "--role", "admin"], { cwd: root, env }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toContain("--organization must be a UUID");
  });
});
