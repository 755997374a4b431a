import { randomUUID } from "node:crypto";
import type { IndexDescription } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMongoStores, type MongoStores } from "../../src/adapters/mongo/connection.js";
import { INDEXES } from "../../src/adapters/mongo/indexes.js";
import { ACCESS_TOKEN, generateToken } from "../../src/domain/secret-token.js";
import { createClient } from "@connectrpc/connect";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { GroupService } from "../../gen/gitpod/v1/group_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";
import { clientFor, transportFor } from "../support/clients.js";
import { credentialsClient, seconds } from "../support/credentials-client.js";
import { checkCoverage, recordCommands, type CommandRecorder } from "../support/index-coverage.js";
import { createScimTenant, scim } from "../support/scim-client.js";
import { startTestServer, TEST_AUDIT, type TestServer } from "../support/test-server.js";

const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;

/**
 * Every query the MongoDB adapters send during a realistic session — the management API's
 * lifecycle and a provisioning cycle as Okta and Entra ID run it (their lookups by userName,
 * externalId, email, displayName and id, lists, cursor walks, membership changes, reads of a
 * group without its members) — is served by an index the adapters create (src/adapters/mongo/
 * indexes.ts), by MongoDB's planner rules (test/support/index-coverage.ts). FerretDB uses no
 * index, so no timing could show this; the check reads the queries the driver really sends.
 */
describe("index coverage of every adapter query (MongoDB)", () => {
  let stores: MongoStores;
  let server: TestServer;
  let recorder: CommandRecorder;

  beforeAll(async () => {
    stores = await createMongoStores({ uri: inject("mongoUri"), database: `t_${randomUUID().replaceAll("-", "")}`, operationTimeoutMs: 10_000, clientOptions: { monitorCommands: true } });
    server = await startTestServer({ stores });
    recorder = recordCommands(stores.client);
    await workload(server);
  }, 120_000);
  afterAll(async () => {
    recorder.stop();
    await server.close();
  });

  it("serves every query of the session from an index", () => {
    expect(recorder.commands.length).toBeGreaterThan(100);
    expect(checkCoverage(recorder.commands, INDEXES).map((v) => v.message)).toEqual([]);
  });

  it.each([
    ["scim_users", "user_name_lookup"],
    ["scim_users", "email_lookup"],
    ["scim_groups", "display_name_lookup"],
    ["scim_memberships", "group_members"],
    ["members", "email_lookup"],
    ["scim_configurations", "organization_page"],
    ["scim_configurations", "previous_token_hash"],
    ["scim_configurations", "access_token_hash"],
  ])("fails when %s's index %s is removed (the check can fail)", (collection, name) => {
    const without: Record<string, IndexDescription[]> = { ...INDEXES, [collection]: INDEXES[collection]!.filter((i) => i.name !== name) };
    expect(checkCoverage(recorder.commands, without).length).toBeGreaterThan(0);
  });

  it("a filter on another attribute scans the configuration's users (documented: only the identity providers' lookups are indexed)", async () => {
    const tenant = await createScimTenant(server);
    recorder.clear();
    await scim(server, tenant.token, "GET", `/Users${q('name.familyName eq "Jensen"')}`);
    expect(checkCoverage(recorder.commands, INDEXES).map((v) => v.query.collection)).toContain("scim_users");
  });
});

async function workload(server: TestServer): Promise<void> {
  const admin = clientFor("connect-json", server.baseUrl, server.adminKey);
  const org = server.organizationId;
  // Management API: SSO and SCIM configurations, keys, the Unleash route.
  const tenant = await createScimTenant(server);
  await admin.getSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId });
  await admin.listSCIMConfigurations({ pagination: { pageSize: 10 } });
  await admin.listSSOConfigurations({ organizationId: org, pagination: { pageSize: 10 } });
  await admin.updateSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId, name: "Okta" });
  const spare = await admin.createSSOConfiguration({ organizationId: org, clientId: "c2", clientSecret: "s", issuerUrl: "https://idp2.example.com" });
  await admin.updateSSOConfiguration({ ssoConfigurationId: spare.ssoConfiguration!.id, displayName: "spare" });
  await admin.deleteSSOConfiguration({ ssoConfigurationId: spare.ssoConfiguration!.id });
  await fetch(`${server.baseUrl}/api/admin/scim-settings`, { headers: { authorization: server.adminKey } }).then((r) => r.arrayBuffer());
  const { record } = await server.app.apiKeys.issue(org, "member", "k", TEST_AUDIT);
  await server.app.apiKeys.revoke(record.id, TEST_AUDIT);
  await server.app.apiKeys.list(org);

  // Provisioning, as the identity providers run it.
  const token = tenant.token;
  const ids: string[] = [];
  await scim(server, token, "GET", `/Users${q(`userName eq "${randomUUID()}"`)}`);
  for (let i = 0; i < 5; i++) {
    const created = await scim(server, token, "POST", "/Users", {
      userName: `user${i}@example.com`,
      externalId: `ext-${i}`,
      name: { givenName: `G${i}`, familyName: "Jensen" },
      emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
    });
    ids.push(created.body.id);
  }
  await scim(server, token, "GET", `/Users${q('userName eq "USER1@example.com"')}`);
  await scim(server, token, "GET", `/Users${q('externalId eq "ext-2"')}`);
  await scim(server, token, "GET", `/Users${q('emails.value eq "user3@example.com"')}`);
  await scim(server, token, "GET", `/Users${q(`id eq "${ids[0]}"`)}`);
  await scim(server, token, "GET", `/Users${q('emails[type eq "work" and value eq "user4@example.com"]')}`);
  await scim(server, token, "GET", `/Users?startIndex=2&count=2`);
  let cursor = "";
  for (;;) {
    const page = await scim(server, token, "GET", `/Users?count=2&cursor=${cursor}`);
    if (!page.body.nextCursor) break;
    cursor = page.body.nextCursor;
  }
  await scim(server, token, "GET", `/Users?count=2&cursor=${cursor}`);
  await scim(server, token, "PATCH", `/Users/${ids[1]}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] });
  await scim(server, token, "PUT", `/Users/${ids[2]}`, { userName: "user2@example.com", active: true, name: { givenName: "New" } });
  const group = await scim(server, token, "POST", "/Groups", { displayName: "Engineering", externalId: "g-1", members: [{ value: ids[0] }, { value: ids[1] }] });
  const groupId = group.body.id;
  await scim(server, token, "GET", `/Groups${q('displayName eq "engineering"')}&excludedAttributes=members`);
  await scim(server, token, "GET", `/Groups${q('externalId eq "g-1"')}`);
  await scim(server, token, "PATCH", `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: ids[2] }] }] });
  await scim(server, token, "PATCH", `/Groups/${groupId}?excludedAttributes=members`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${ids[0]}"]` }] });
  await scim(server, token, "PATCH", `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: "replace", value: { id: groupId, displayName: "Eng" } }] });
  await scim(server, token, "PUT", `/Groups/${groupId}`, { displayName: "Eng", members: [{ value: ids[3] }] });
  await scim(server, token, "GET", `/Groups/${groupId}`);
  await scim(server, token, "GET", `/Groups/${groupId}?excludedAttributes=members`);
  await scim(server, token, "GET", `/Users/${ids[3]}`);
  await scim(server, token, "DELETE", `/Users/${ids[4]}`);
  await scim(server, token, "POST", "/Users", { userName: "user4@example.com", emails: [{ value: "user4@example.com" }] });
  await scim(server, token, "DELETE", `/Groups/${groupId}`);
  // Account linking across configurations of one organization (lookup by email).
  const other = await createScimTenant(server, { allowUnverifiedEmailAccountLinking: true });
  await scim(server, other.token, "POST", "/Users", { userName: "u0-elsewhere", emails: [{ value: "user0@example.com", primary: true }] });
  // The management API's reads of what was provisioned: members, groups, memberships, the trail.
  await admin.listMembers({ organizationId: org, pagination: { pageSize: 2 } });
  await admin.listMembers({ organizationId: org, filter: { statuses: [UserStatus.ACTIVE] } });
  const groupsClient = createClient(GroupService, transportFor("connect-json", server.baseUrl, server.adminKey));
  const groups = await groupsClient.listGroups({ pagination: { pageSize: 5 } });
  for (const g of groups.groups) {
    await groupsClient.getGroup({ groupId: g.id });
    await groupsClient.listMemberships({ groupId: g.id, pagination: { pageSize: 2 } });
  }
  const events = createClient(EventService, transportFor("connect-json", server.baseUrl, server.adminKey));
  await events.listAuditLogs({ pagination: { pageSize: 5 } });
  // Issue 13's credentials: a rotation with an overlap, both tokens in use, the list and a revoke,
  // the allowlist, a client secret, a token request, SCIM calls with the access token, the uses
  // written, the secret revoked, and a disable that ends the access tokens.
  const creds = credentialsClient(server.baseUrl, server.adminKey);
  const rotated = await creds.rotateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, overlap: seconds(600) });
  await scim(server, token, "GET", "/ServiceProviderConfig");
  await scim(server, rotated.token, "GET", `/Users${q('userName eq "user1@example.com"')}`);
  const live = await creds.listSCIMTokens({ scimConfigurationId: tenant.scimConfigurationId });
  await creds.revokeSCIMToken({ scimConfigurationId: tenant.scimConfigurationId, tokenId: live.tokens[1]!.id });
  await creds.setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: ["127.0.0.0/8", "::1/128"] });
  await creds.getSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId });
  const secret = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret });
  const access = ((await (await fetch(`${server.baseUrl}/oauth2/token`, { method: "POST", body: form })).json()) as { access_token: string }).access_token;
  await scim(server, access, "GET", `/Groups${q('displayName eq "nothing"')}`);
  // An access token of the form issued before tokens named their configuration: looked up by its hash.
  await scim(server, generateToken(ACCESS_TOKEN), "GET", "/ServiceProviderConfig");
  await server.app.credentialUsage.flush(true);
  await creds.listSCIMClientSecrets({ scimConfigurationId: tenant.scimConfigurationId });
  await fetch(`${server.baseUrl}/oauth2/token`, { method: "POST", body: form }).then((r) => r.arrayBuffer());
  await admin.updateSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId, enabled: false });
  await admin.updateSCIMConfiguration({ scimConfigurationId: tenant.scimConfigurationId, enabled: true });
  await creds.revokeSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId, secretId: secret.secret!.id });
  // Regenerate and delete the configuration last.
  await admin.regenerateSCIMToken({ scimConfigurationId: tenant.scimConfigurationId });
  await admin.deleteSCIMConfiguration({ scimConfigurationId: other.scimConfigurationId });
}
