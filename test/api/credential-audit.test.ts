import { createHash, randomUUID } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { transportFor } from "../support/clients.js";
import { credentialsClient, seconds } from "../support/credentials-client.js";
import { createScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * The audit trail of issue 13's changes (rotate, revoke a token, the allowlist, client secrets
 * created and revoked), and what the database keeps of the new secrets: hashes only, and never
 * a secret, token or hash in an audit entry.
 */
describe("credential changes in the audit trail, secrets at rest (FerretDB)", () => {
  const database = `t_${randomUUID().replaceAll("-", "")}`;
  let server: TestServer;
  let mongo: MongoClient;
  beforeAll(async () => {
    const uri = inject("mongoUri");
    server = await startTestServer({ stores: await createMongoStores({ uri, database, operationTimeoutMs: 5000 }) });
    mongo = await new MongoClient(uri).connect();
  });
  afterAll(async () => {
    await mongo.close();
    await server.close();
  });

  it("records each change with its actor, the credential's id and field names; stores hashes only", async () => {
    const tenant = await createScimTenant(server);
    const id = tenant.scimConfigurationId;
    const creds = credentialsClient(server.baseUrl, server.adminKey);
    const rotated = await creds.rotateSCIMToken({ scimConfigurationId: id, overlap: seconds(600) });
    const oldTokenId = (await creds.listSCIMTokens({ scimConfigurationId: id })).tokens[1]!.id;
    await creds.revokeSCIMToken({ scimConfigurationId: id, tokenId: oldTokenId });
    await creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: ["127.0.0.0/8"] });
    await creds.setSCIMIPAllowlist({ scimConfigurationId: id, cidrs: ["127.0.0.0/8"] }); // no change: no entry
    const secret = await creds.createSCIMClientSecret({ scimConfigurationId: id });
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret });
    const access = ((await (await fetch(`${server.baseUrl}/oauth2/token`, { method: "POST", body: form })).json()) as { access_token: string }).access_token;
    expect(access).toMatch(/^scimat_/);
    await creds.revokeSCIMClientSecret({ scimConfigurationId: id, secretId: secret.secret!.id });

    const transport = transportFor("connect-json", server.baseUrl, server.adminKey);
    const list = await createClient(EventService, transport).listAuditLogs({ filter: { subjectIds: [id] }, sort: { field: "createdAt", order: 1 }, pagination: { pageSize: 20 } });
    const entries = list.entries.filter((e) => e.action !== "scim_configuration.create");
    expect(entries.map((e) => e.action)).toEqual([
      "scim_configuration.rotate_token",
      "scim_configuration.revoke_token",
      "scim_configuration.set_ip_allowlist",
      "scim_configuration.create_client_secret",
      "scim_configuration.revoke_client_secret",
    ]);
    const details = (await createClient(AuditDetailService, transport).getAuditLogDetails({ auditLogEntryIds: entries.map((e) => e.id) })).details;
    expect(details.map((d) => [d.actorKind, d.changedFields, d.scimResourceId, d.scimConfigurationId])).toEqual([
      ["api_key", ["token", "token_expires_at"], rotated.scimToken!.id, id],
      ["api_key", ["token"], oldTokenId, id],
      ["api_key", ["ip_allowlist"], "", id],
      ["api_key", ["client_secrets"], secret.secret!.id, id],
      ["api_key", ["client_secrets"], secret.secret!.id, id],
    ]);

    const db = mongo.db(database);
    const plaintexts = [tenant.token, rotated.token, secret.clientSecret, access];
    const stored = JSON.stringify(await db.collection("scim_configurations").find().toArray());
    for (const p of plaintexts) expect(stored).not.toContain(p);
    const doc = await db.collection("scim_configurations").findOne({ _id: id as never });
    expect(doc!.tokenHash).toBe(sha256(rotated.token));
    // Revoked: the secret's hash and its access token are gone from the document.
    expect(stored).not.toContain(sha256(secret.clientSecret));
    expect(stored).not.toContain(sha256(access));
    const trail = JSON.stringify(await db.collection("audit_log").find().toArray());
    for (const p of [...plaintexts, ...plaintexts.map(sha256)]) expect(trail).not.toContain(p);
  });
});
