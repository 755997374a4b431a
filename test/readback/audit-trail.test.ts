import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runAdmin } from "../../src/cli/admin.js";
import type { AuditEntryRecord } from "../../src/domain/audit/audit-entry.js";
import { hashSecret } from "../../src/domain/secret-token.js";
import { createMongoStores, type MongoStores } from "../../src/adapters/mongo/connection.js";
import { runProvisioning, type ProvisioningRun } from "../support/provisioning-run.js";
import { scimStatus } from "../support/scim-access.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** Every stored entry of an organization, oldest first. */
async function allEntries(server: TestServer, organizationId = server.organizationId): Promise<AuditEntryRecord[]> {
  const out: AuditEntryRecord[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await server.app.stores.audit.list(organizationId, {}, { limit: 100, afterId, order: "asc" });
    out.push(...page.items);
    if (page.nextToken === "") return out;
    afterId = page.items[page.items.length - 1]!.id;
  }
}

/** A Connect JSON call with an x-request-id, as a script would make it. */
async function rpc(server: TestServer, service: string, method: string, body: unknown, requestId: string, key = server.adminKey) {
  const res = await fetch(`${server.baseUrl}/gitpod.v1.${service}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-request-id": requestId },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  return { status: res.status, json };
}

const CLIENT_SECRET = "okta-client-secret-that-must-never-be-stored";
const NEW_CLIENT_SECRET = "rotated-client-secret-that-must-never-be-stored";

interface Lifecycle {
  ssoId: string;
  scimId: string;
  secrets: string[];
  /** [action, request id, subject id, changed fields] in order. */
  expected: [string, string, string, string[]][];
}

/**
 * An SSO and SCIM configuration's whole life through the management API and the Unleash route,
 * each call with its own x-request-id, including a SCIM call refused while disabled (recorded
 * once, however often the identity provider retries) and calls that fail (recorded never).
 */
async function configurationLifecycle(server: TestServer): Promise<Lifecycle> {
  const org = server.organizationId;
  const sso = await rpc(server, "OrganizationService", "CreateSSOConfiguration", { organizationId: org, clientId: "okta-client", clientSecret: CLIENT_SECRET, issuerUrl: "https://okta.example.com" }, "lc-1");
  const ssoId = sso.json.ssoConfiguration.id as string;
  const created = await rpc(server, "OrganizationService", "CreateSCIMConfiguration", { organizationId: org, ssoConfigurationId: ssoId, name: "Okta" }, "lc-2");
  const scimId = created.json.scimConfiguration.id as string;
  // Failures change nothing and leave no entry.
  expect((await rpc(server, "OrganizationService", "CreateSCIMConfiguration", { organizationId: org, ssoConfigurationId: ssoId }, "lc-fail-1")).status).toBe(409);
  expect((await rpc(server, "OrganizationService", "UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "x".repeat(200) }, "lc-fail-2")).status).toBe(400);
  expect((await rpc(server, "OrganizationService", "UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "Okta" }, "lc-noop")).status).toBe(200);
  await rpc(server, "OrganizationService", "UpdateSCIMConfiguration", { scimConfigurationId: scimId, name: "Okta production", allowUnverifiedEmailAccountLinking: true }, "lc-3");
  await rpc(server, "OrganizationService", "UpdateSSOConfiguration", { ssoConfigurationId: ssoId, clientSecret: NEW_CLIENT_SECRET, displayName: "Okta" }, "lc-4");
  const regenerated = await rpc(server, "OrganizationService", "RegenerateSCIMToken", { scimConfigurationId: scimId }, "lc-5");
  await rpc(server, "OrganizationService", "UpdateSCIMConfiguration", { scimConfigurationId: scimId, enabled: false }, "lc-6");
  const token = regenerated.json.token as string;
  const refused = await fetch(`${server.baseUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}`, "x-request-id": "lc-7" } });
  expect(refused.status).toBe(403);
  expect(await scimStatus(server, token)).toBe(403);
  // The Unleash route goes through the same use case.
  const unleash = await fetch(`${server.baseUrl}/api/admin/scim-settings?scimConfigurationId=${scimId}`, {
    method: "POST",
    headers: { authorization: server.adminKey, "content-type": "application/json", "x-request-id": "lc-8" },
    body: JSON.stringify({ enabled: true }),
  });
  expect(unleash.status).toBe(200);
  await rpc(server, "OrganizationService", "DeleteSCIMConfiguration", { scimConfigurationId: scimId }, "lc-9");
  await rpc(server, "OrganizationService", "DeleteSSOConfiguration", { ssoConfigurationId: ssoId }, "lc-10");
  return {
    ssoId,
    scimId,
    secrets: [CLIENT_SECRET, NEW_CLIENT_SECRET, created.json.token, token, server.adminKey],
    expected: [
      ["sso_configuration.create", "lc-1", ssoId, []],
      ["scim_configuration.create", "lc-2", scimId, []],
      ["scim_configuration.update", "lc-3", scimId, ["name", "allow_unverified_email_account_linking"]],
      ["sso_configuration.update", "lc-4", ssoId, ["client_secret", "display_name"]],
      ["scim_configuration.regenerate_token", "lc-5", scimId, ["token", "token_expires_at"]],
      ["scim_configuration.update", "lc-6", scimId, ["enabled"]],
      ["scim.request.refused.disabled", "lc-7", scimId, []],
      ["scim_configuration.update", "lc-8", scimId, ["enabled"]],
      ["scim_configuration.delete", "lc-9", scimId, []],
      ["sso_configuration.delete", "lc-10", ssoId, []],
    ],
  };
}

/** No secret, and no hash of one, appears anywhere in the stored entries. */
function expectNoSecrets(stored: string, secrets: string[]): void {
  for (const secret of secrets) {
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(hashSecret(secret));
  }
}

describe("the audit trail of a provisioning run and a configuration lifecycle (memory store)", () => {
  let server: TestServer;
  let run: ProvisioningRun;
  let lifecycle: Lifecycle;
  let adminKeyId: string;
  beforeAll(async () => {
    server = await startTestServer();
    adminKeyId = (await server.app.apiKeys.authenticate(server.adminKey)).apiKeyId;
    lifecycle = await configurationLifecycle(server);
    run = await runProvisioning(server, "run");
  });
  afterAll(() => server.close());

  it("holds one entry per change of the lifecycle, in order, with the API key as actor and each request's id", async () => {
    const entries = (await allEntries(server)).filter((e) => e.requestId.startsWith("lc-"));
    expect(entries.map((e) => [e.action, e.requestId, e.subjectId, e.changedFields])).toEqual(lifecycle.expected);
    for (const e of entries) {
      const bySCIM = e.action.startsWith("scim.request.");
      expect([e.actorKind, e.actorId]).toEqual(bySCIM ? ["scim_configuration", lifecycle.scimId] : ["api_key", adminKeyId]);
      expect(e.clientAddress).toBe("127.0.0.1");
      expect(e.organizationId).toBe(server.organizationId);
    }
  });

  it("holds one entry per change of the provisioning run, in order, with the SCIM configuration as actor", async () => {
    const entries = (await allEntries(server)).filter((e) => e.actorId === run.tenant.scimConfigurationId);
    const subject = (key: string) => (key === "group" ? run.groupId : run.people[key as keyof ProvisioningRun["people"]].userId);
    expect(entries.map((e) => [e.action, e.requestId, e.subjectId, e.bulkOperation])).toEqual(run.changes.map(([action, id, key, bulk]) => [action, id, subject(key), bulk]));
    const byAction = (action: string) => entries.filter((e) => e.action === action);
    expect(byAction("scim.user.patch").map((e) => [e.scimResourceId, e.changedFields])).toEqual([[run.people.carol.scimId, ["active"]]]);
    expect(byAction("scim.group.patch").map((e) => e.changedFields)).toEqual([["members"], ["members"]]);
    expect(byAction("scim.user.delete").map((e) => e.scimResourceId)).toEqual([run.people.dave.scimId]);
    for (const e of entries) expect([e.actorKind, e.scimConfigurationId, e.kind]).toEqual(["scim_configuration", run.tenant.scimConfigurationId, "resource_change"]);
  });

  it("stores no token, key or client secret, nor their hashes", async () => {
    expectNoSecrets(JSON.stringify(await allEntries(server)), [...lifecycle.secrets, run.tenant.token]);
  });

  it("records API keys made and revoked, by key id", async () => {
    const { record } = await server.app.apiKeys.issue(server.organizationId, "member", "audited", { actor: { kind: "api_key", id: adminKeyId }, requestId: "key-1", clientAddress: "" });
    await server.app.apiKeys.revoke(record.id, { actor: { kind: "api_key", id: adminKeyId }, requestId: "key-2", clientAddress: "" });
    await server.app.apiKeys.revoke(record.id, { actor: { kind: "api_key", id: adminKeyId }, requestId: "key-3", clientAddress: "" });
    const entries = (await allEntries(server)).filter((e) => e.subjectId === record.id);
    expect(entries.map((e) => [e.action, e.requestId, e.subjectType])).toEqual([
      ["api_key.create", "key-1", "api_key"],
      ["api_key.revoke", "key-2", "api_key"],
    ]);
  });
});

describe("refused SCIM calls over the rate limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { SCIM_RATE_PER_SECOND: "1", SCIM_RATE_BURST: "1" } });
  });
  afterAll(() => server.close());

  it("are recorded once per configuration and window, as credential access", async () => {
    const sso = await rpc(server, "OrganizationService", "CreateSSOConfiguration", { organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" }, "r-1");
    const scim = await rpc(server, "OrganizationService", "CreateSCIMConfiguration", { organizationId: server.organizationId, ssoConfigurationId: sso.json.ssoConfiguration.id }, "r-2");
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await scimStatus(server, scim.json.token));
    expect(statuses).toEqual([200, 429, 429, 429]);
    const refused = (await allEntries(server)).filter((e) => e.action === "scim.request.refused.rate_limited");
    expect(refused.map((e) => [e.actorId, e.subjectId, e.kind])).toEqual([[scim.json.scimConfiguration.id, scim.json.scimConfiguration.id, "credential_access"]]);
  });
});

describe("the audit trail in MongoDB (FerretDB): configuration lifecycle and the admin CLI", () => {
  let server: TestServer;
  let lifecycle: Lifecycle;
  let stores: MongoStores;
  const databaseName = `t_${randomUUID().replaceAll("-", "")}`;
  beforeAll(async () => {
    stores = await createMongoStores({ uri: inject("mongoUri"), database: databaseName, operationTimeoutMs: 5000 });
    server = await startTestServer({ stores });
    lifecycle = await configurationLifecycle(server);
  });
  afterAll(() => server.close());

  it("holds the lifecycle's entries in order, and no stored document contains a secret", async () => {
    const entries = (await allEntries(server)).filter((e) => e.requestId.startsWith("lc-"));
    expect(entries.map((e) => [e.action, e.requestId, e.subjectId, e.changedFields])).toEqual(lifecycle.expected);
    const raw = await stores.client.db(databaseName).collection("audit_log").find({}).toArray();
    expect(raw.length).toBeGreaterThanOrEqual(lifecycle.expected.length);
    expectNoSecrets(JSON.stringify(raw), lifecycle.secrets);
  });

  it("the admin CLI's key create and revoke are entries with the actor \"cli\"", async () => {
    const env = { MONGODB_URI: inject("mongoUri"), MONGODB_DB: databaseName, LOG_LEVEL: "silent" };
    const organizationId = randomUUID();
    const lines: string[] = [];
    await runAdmin(["keys", "create", "--organization", organizationId, "--role", "admin", "--name", "ops"], env, (l) => lines.push(l));
    const keyId = /created admin key (\S+)/.exec(lines.join("\n"))![1]!;
    const key = /API key \(shown only now, store it securely\): (\S+)/.exec(lines.join("\n"))![1]!;
    await runAdmin(["keys", "revoke", keyId], env, (l) => lines.push(l));
    const entries = await allEntries(server, organizationId);
    expect(entries.map((e) => [e.action, e.actorKind, e.actorId, e.subjectId])).toEqual([
      ["api_key.create", "cli", "cli", keyId],
      ["api_key.revoke", "cli", "cli", keyId],
    ]);
    expect(entries[0]!.requestId).not.toBe(entries[1]!.requestId);
    expectNoSecrets(JSON.stringify(entries), [key]);
  });
});
