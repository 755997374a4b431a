/**
 * Full provisioning cycles as the identity providers run them, against the real /scim/v2:
 * - Okta (https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20/): lookup by
 *   `userName eq` with paging, create, read, deactivate by path-less PATCH and (App Integration
 *   Wizard apps) by PUT, reactivate, Group Push with a rename carrying the group's id, member
 *   add / remove by `members[value eq "…"]`, full-list `replace members`, group delete.
 * - Microsoft Entra ID (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
 *   and .../application-provisioning-config-problem-scim-compatibility): Test Connection with a
 *   random userName, create with the enterprise extension and a manager, capitalised Replace with
 *   "False", manager as a bare id and as {value}, member Remove by value list, groups read with
 *   excludedAttributes=members, soft delete (active false) then hard DELETE.
 * Then what these cycles imply for the organization's members (account linking, status,
 * re-provisioning), and the token: disabled configuration, isolation, regeneration.
 * Member state is read from the stores: the member id is not exposed over SCIM.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor as rpcClient } from "../support/clients.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";
import { ENTERPRISE, expectScimError, GROUP_SCHEMA, newClient, PATCH_OP, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

describe.each(STORE_KINDS)("provisioning cycles (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server?.close());

  /** The member a SCIM User is an identity of. */
  const memberOf = async (c: ScimClient, userId: string) => {
    const user = await server.app.stores.scimUsers.get(c.tenant.scimConfigurationId, userId);
    expect(user, `User ${userId} in the store`).toBeDefined();
    const member = await server.app.stores.members.get(c.organizationId, user!.memberId);
    expect(member, `member ${user!.memberId}`).toBeDefined();
    return member!;
  };
  const memberById = async (c: ScimClient, memberId: string) => (await server.app.stores.members.get(c.organizationId, memberId))!;
  const admin = (c: ScimClient) => rpcClient("connect-json", server.baseUrl, c.adminKey);

  it("Okta: lookup, create, deactivate by PATCH and by PUT, reactivate, Group Push with rename and membership changes", async () => {
    const okta = await newClient(server);
    const lookup = `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`;
    expect((await okta.call("GET", lookup)).body).toMatchObject({ totalResults: 0, startIndex: 1, Resources: [] });

    const profile = {
      schemas: [USER_SCHEMA],
      userName: "test.user@okta.local",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
      displayName: "Test User",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    };
    const created = await okta.call("POST", "/Users", profile);
    expect(created.status).toBe(201);
    expect(created.body.password).toBeUndefined();
    const id = created.body.id as string;
    expect((await okta.call("GET", lookup)).body.Resources.map((r: any) => r.id)).toEqual([id]);
    const read = await okta.call("GET", `/Users/${id}`);
    expect(read.body).toMatchObject({ id, userName: "test.user@okta.local", locale: "en-US", externalId: "00ujl29u0le5T6Aj10h7", active: true });
    expect((await memberOf(okta, id)).status).toBe("active");

    // Deactivate / reactivate with Okta's path-less PATCH.
    let body = await okta.patch(`/Users/${id}`, [{ op: "replace", value: { active: false } }]);
    expect(body.active).toBe(false);
    expect((await memberOf(okta, id)).status).toBe("suspended");
    body = await okta.patch(`/Users/${id}`, [{ op: "replace", value: { active: true } }]);
    expect(body.active).toBe(true);
    expect((await memberOf(okta, id)).status).toBe("active");

    // App Integration Wizard apps deactivate with a PUT of the whole profile.
    const { password: _, ...withoutPassword } = profile;
    const deactivated = await okta.call("PUT", `/Users/${id}`, { ...withoutPassword, id, active: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect((await memberOf(okta, id)).status).toBe("suspended");
    const omitted = await okta.call("PUT", `/Users/${id}`, { ...withoutPassword, id, active: undefined, title: "Engineer" });
    expect(omitted.body).toMatchObject({ active: false, title: "Engineer" });
    const reactivated = await okta.call("PUT", `/Users/${id}`, { ...withoutPassword, id, active: true });
    expect(reactivated.body.active).toBe(true);
    expect(reactivated.body.title).toBeUndefined();
    expect((await memberOf(okta, id)).status).toBe("active");

    // Group Push.
    const second = await okta.createUser({ userName: "second@okta.local", displayName: "Second" });
    const pushed = await okta.call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Test SCIMv2", members: [{ value: id, display: "test.user@okta.local" }] });
    expect(pushed.status).toBe(201);
    const groupId = pushed.body.id as string;
    expect(pushed.body.members.map((m: any) => m.value)).toEqual([id]);
    expect((await okta.filter("/Groups", 'displayName eq "Test SCIMv2"')).Resources.map((g: any) => g.id)).toEqual([groupId]);

    body = await okta.patch(`/Groups/${groupId}`, [{ op: "replace", value: { id: groupId, displayName: "Test SCIMv2 renamed" } }]);
    expect(body.displayName).toBe("Test SCIMv2 renamed");
    expectScimError(await okta.call("PATCH", `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { id: randomUUID(), displayName: "x" } }] }), 400, "mutability");

    body = await okta.patch(`/Groups/${groupId}`, [{ op: "add", path: "members", value: [{ value: second.id, display: "second@okta.local" }] }]);
    expect(body.members.map((m: any) => m.value).sort()).toEqual([id, second.id].sort());
    body = await okta.patch(`/Groups/${groupId}`, [{ op: "remove", path: `members[value eq "${id}"]` }]);
    expect(body.members.map((m: any) => m.value)).toEqual([second.id]);
    body = await okta.patch(`/Groups/${groupId}`, [{ op: "replace", path: "members", value: [{ value: id }, { value: second.id }] }]);
    expect(body.members.map((m: any) => m.value).sort()).toEqual([id, second.id].sort());
    body = await okta.patch(`/Groups/${groupId}`, [{ op: "replace", path: "members", value: [{ value: id }] }]);
    expect(body.members.map((m: any) => m.value)).toEqual([id]);

    const user = (await okta.call("GET", `/Users/${id}`)).body;
    expect(user.groups).toEqual([expect.objectContaining({ value: groupId, display: "Test SCIMv2 renamed", type: "direct" })]);
    expect((await okta.call("GET", `/Users/${second.id}`)).body.groups ?? []).toEqual([]);

    expect((await okta.call("DELETE", `/Groups/${groupId}`)).status).toBe(204);
    expect((await okta.call("GET", `/Groups/${groupId}`)).status).toBe(404);
    expect((await okta.call("GET", `/Users/${id}`)).body.groups ?? []).toEqual([]);
  });

  it("Microsoft Entra ID: test connection, create with manager, Replace with \"False\", manager forms, member removal by value list, soft then hard delete", async () => {
    const entra = await newClient(server);
    const probe = await entra.call("GET", `/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ totalResults: 0, Resources: [] });
    const groupProbe = await entra.call("GET", `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${randomUUID()}"`)}`);
    expect(groupProbe.body.totalResults).toBe(0);

    const boss = await entra.createUser({ userName: "boss@contoso.com", externalId: "boss", active: true });
    const deputy = await entra.createUser({ userName: "deputy@contoso.com", externalId: "deputy", active: true });
    const created = await entra.call("POST", "/Users", {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: "jyoung",
      userName: "jyoung@testuser.com",
      active: true,
      displayName: "Joy Young",
      emails: [{ primary: true, type: "work", value: "jyoung@Contoso.com" }],
      meta: { resourceType: "User" },
      name: { formatted: "Joy Young", familyName: "Young", givenName: "Joy" },
      roles: [],
      [ENTERPRISE]: { employeeNumber: "42", department: "Sales", manager: { value: boss.id } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body[ENTERPRISE]).toMatchObject({ employeeNumber: "42", department: "Sales", manager: { value: boss.id } });
    expect(created.body[ENTERPRISE].manager.$ref).toMatch(new RegExp(`/scim/v2/Users/${boss.id}$`));
    // Entra matches on externalId (its tutorial writes the value unquoted; the service quotes it).
    for (const filter of ['externalId eq "jyoung"', "externalId eq jyoung"]) {
      expect((await entra.filter("/Users", filter)).Resources.map((r: any) => r.id)).toEqual([id]);
    }

    // Default form: capitalised ops, "False", a type-eq value path that creates its element.
    let body = await entra.patch(`/Users/${id}`, [
      { op: "Replace", path: "active", value: "False" },
      { op: "Replace", path: "displayName", value: "Joy Y." },
      { op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 555 0100" },
      { op: "Replace", path: 'emails[type eq "work"].value', value: "joy@contoso.com" },
    ]);
    expect(body).toMatchObject({ active: false, displayName: "Joy Y.", phoneNumbers: [{ type: "mobile", value: "+1 555 0100" }] });
    expect(body.emails).toEqual([{ primary: true, type: "work", value: "joy@contoso.com" }]);
    expect((await memberOf(entra, id)).status).toBe("suspended");
    body = await entra.patch(`/Users/${id}`, [{ op: "Replace", path: "active", value: "True" }]);
    expect(body.active).toBe(true);

    // The manager as a bare id, then as {value}, then removed.
    body = await entra.patch(`/Users/${id}`, [{ op: "Replace", path: `${ENTERPRISE}:manager`, value: deputy.id }]);
    expect(body[ENTERPRISE].manager.value).toBe(deputy.id);
    body = await entra.patch(`/Users/${id}`, [{ op: "Add", path: `${ENTERPRISE}:manager`, value: { value: boss.id } }]);
    expect(body[ENTERPRISE].manager.value).toBe(boss.id);
    body = await entra.patch(`/Users/${id}`, [{ op: "Remove", path: `${ENTERPRISE}:manager` }]);
    expect(body[ENTERPRISE].manager).toBeUndefined();
    expect(body[ENTERPRISE].department).toBe("Sales");

    // Newer form (aadOptscim062020): real booleans, path-less replace with dotted and URN keys.
    body = await entra.patch(`/Users/${id}`, [{ op: "replace", value: { "name.givenName": "Joyce", [`${ENTERPRISE}:department`]: "Marketing", active: false } }]);
    expect(body).toMatchObject({ name: { givenName: "Joyce", familyName: "Young" }, active: false, [ENTERPRISE]: { department: "Marketing" } });

    // Groups: create, add members, remove two by value list, read without members.
    const group = await entra.call("POST", "/Groups", {
      schemas: [GROUP_SCHEMA, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "Group1DisplayName",
      meta: { resourceType: "Group" },
    });
    expect(group.status).toBe(201);
    const gid = group.body.id as string;
    await entra.patch(`/Groups/${gid}`, [{ op: "Add", path: "members", value: [{ value: id }, { value: boss.id }, { value: deputy.id }] }]);
    body = await entra.patch(`/Groups/${gid}`, [{ op: "Remove", path: "members", value: [{ value: boss.id }, { value: deputy.id }] }]);
    expect(body.members.map((m: any) => m.value)).toEqual([id]);
    const lean = await entra.call("GET", `/Groups/${gid}?excludedAttributes=members`);
    expect(lean.status).toBe(200);
    expect(lean.body.members).toBeUndefined();
    expect(lean.body.displayName).toBe("Group1DisplayName");
    body = await entra.patch(`/Groups/${gid}`, [{ op: "Replace", path: "displayName", value: "Group1 renamed" }]);
    expect(body.displayName).toBe("Group1 renamed");

    // Soft delete keeps the membership (Entra will not restore it), hard delete removes it.
    body = await entra.patch(`/Users/${id}`, [{ op: "Replace", path: "active", value: "False" }]);
    expect(body.active).toBe(false);
    expect(await entra.memberIds(gid)).toEqual([id]);
    const memberId = (await memberOf(entra, id)).id;
    const deleted = await entra.call("DELETE", `/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectScimError(await entra.call("GET", `/Users/${id}`), 404);
    expectScimError(await entra.call("DELETE", `/Users/${id}`), 404);
    expect(await entra.memberIds(gid)).toEqual([]);
    expect((await memberById(entra, memberId)).status).toBe("left");
  });

  it("re-provisioning a deleted user, by userName or by email, brings the same member back", async () => {
    const c = await newClient(server);
    const first = await c.createUser({ userName: "Returning@Example.com", emails: [{ value: "returning@example.com", primary: true }] });
    const member = await memberOf(c, first.id);
    expect((await c.call("DELETE", `/Users/${first.id}`)).status).toBe(204);
    expect((await memberById(c, member.id)).status).toBe("left");

    const again = await c.createUser({ userName: "returning@example.com" });
    expect(again.id).not.toBe(first.id);
    expect((await memberOf(c, again.id)).id).toBe(member.id);
    expect((await memberById(c, member.id)).status).toBe("active");

    expect((await c.call("DELETE", `/Users/${again.id}`)).status).toBe(204);
    const byEmail = await c.createUser({ userName: "renamed-in-the-idp", emails: [{ value: "RETURNING@example.com", type: "work" }] });
    expect((await memberOf(c, byEmail.id)).id).toBe(member.id);
    expect((await memberById(c, member.id)).status).toBe("active");
  });

  describe("account linking between the configurations of one organization", () => {
    it("flag false: 409 uniqueness with the documented detail, nothing created; flag true (set later): linked to the same member", async () => {
      const okta = await newClient(server);
      const entra = await newClient(server, { organizationId: okta.organizationId, allowUnverifiedEmailAccountLinking: false });
      const original = await okta.createUser({ userName: "ada@example.com", emails: [{ value: "ada@example.com", type: "work", primary: true }] });
      const refused = await entra.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ada.l@corp.example", emails: [{ value: "Ada@Example.com", type: "work" }] });
      expectScimError(refused, 409, "uniqueness");
      expect(refused.body.detail).toMatch(/account with the email .* already exists/i);
      expect(refused.body.detail).toMatch(/allowUnverifiedEmailAccountLinking/);
      expect((await entra.call("GET", "/Users")).body.totalResults).toBe(0);

      await admin(entra).updateSCIMConfiguration({ scimConfigurationId: entra.tenant.scimConfigurationId, allowUnverifiedEmailAccountLinking: true });
      const linked = await entra.createUser({ userName: "ada.l@corp.example", emails: [{ value: "Ada@Example.com", type: "work" }] });
      const member = await memberOf(okta, original.id);
      expect((await memberOf(entra, linked.id)).id).toBe(member.id);
      expect((await server.app.stores.scimUsers.listByMember(member.id)).map((u) => u.id).sort()).toEqual([original.id, linked.id].sort());

      // Status follows both identities.
      await okta.patch(`/Users/${original.id}`, [{ op: "replace", value: { active: false } }]);
      expect((await memberById(okta, member.id)).status).toBe("active");
      await entra.patch(`/Users/${linked.id}`, [{ op: "Replace", path: "active", value: "False" }]);
      expect((await memberById(okta, member.id)).status).toBe("suspended");
      await okta.patch(`/Users/${original.id}`, [{ op: "replace", value: { active: true } }]);
      expect((await memberById(okta, member.id)).status).toBe("active");
      expect((await okta.call("DELETE", `/Users/${original.id}`)).status).toBe(204);
      expect((await memberById(okta, member.id)).status).toBe("suspended");
      expect((await entra.call("DELETE", `/Users/${linked.id}`)).status).toBe(204);
      expect((await memberById(okta, member.id)).status).toBe("left");
    });

    it("a userName that is an email links when no email is given; several candidate members is 409 naming the ambiguity", async () => {
      const a = await newClient(server);
      const b = await newClient(server, { organizationId: a.organizationId, allowUnverifiedEmailAccountLinking: true });
      const original = await a.createUser({ userName: "grace@example.com" });
      const linked = await b.createUser({ userName: "GRACE@example.com" });
      expect((await memberOf(b, linked.id)).id).toBe((await memberOf(a, original.id)).id);

      await a.createUser({ userName: "twin-1", emails: [{ value: "twin@example.com" }] });
      await a.createUser({ userName: "twin-2", emails: [{ value: "twin@example.com" }] });
      const ambiguous = await b.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "twin", emails: [{ value: "twin@example.com" }] });
      expectScimError(ambiguous, 409, "uniqueness");
      expect(ambiguous.body.detail).toMatch(/2 existing accounts/);
      expect(ambiguous.body.detail).toMatch(/unambiguously/);
    });

    it("two Users of one configuration sharing an email are two members, and no 409", async () => {
      const c = await newClient(server);
      const one = await c.createUser({ userName: "shared-1", emails: [{ value: "shared@example.com", type: "work" }] });
      const two = await c.createUser({ userName: "shared-2", emails: [{ value: "shared@example.com", type: "work" }] });
      expect((await memberOf(c, one.id)).id).not.toBe((await memberOf(c, two.id)).id);
      expect((await c.filter("/Users", 'emails.value eq "shared@example.com"')).totalResults).toBe(2);
    });
  });

  it("enabled: false answers 403 on every /scim/v2 call; enabling again restores access", async () => {
    const c = await newClient(server);
    const u = await c.createUser({ userName: "disabled-cycle" });
    await admin(c).updateSCIMConfiguration({ scimConfigurationId: c.tenant.scimConfigurationId, enabled: false });
    const calls: [string, string, unknown?][] = [
      ["GET", "/Users"],
      ["GET", `/Users/${u.id}`],
      ["POST", "/Users", { schemas: [USER_SCHEMA], userName: "x" }],
      ["PUT", `/Users/${u.id}`, { schemas: [USER_SCHEMA], userName: "x" }],
      ["PATCH", `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] }],
      ["DELETE", `/Users/${u.id}`],
      ["POST", "/Users/.search", {}],
      ["GET", "/Groups"],
      ["POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [] }],
      ["GET", "/ServiceProviderConfig"],
      ["GET", "/ResourceTypes"],
      ["GET", "/Schemas"],
      ["GET", "/Me"],
      ["GET", "/NoSuchThing"],
    ];
    for (const [method, path, body] of calls) expectScimError(await c.call(method, path, body), 403);
    await admin(c).updateSCIMConfiguration({ scimConfigurationId: c.tenant.scimConfigurationId, enabled: true });
    expect((await c.call("GET", `/Users/${u.id}`)).body.userName).toBe("disabled-cycle");
  });

  it("a token never sees another configuration's or organization's Users and Groups", async () => {
    const a = await newClient(server);
    const sibling = await newClient(server, { organizationId: a.organizationId });
    const stranger = await newClient(server);
    const user = await a.createUser({ userName: "private@example.com", externalId: "p1" });
    const group = await a.createGroup({ displayName: "Private", members: [{ value: user.id }] });
    for (const other of [sibling, stranger]) {
      expectScimError(await other.call("GET", `/Users/${user.id}`), 404);
      expectScimError(await other.call("GET", `/Groups/${group.id}`), 404);
      expectScimError(await other.call("PUT", `/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: "stolen" }), 404);
      expectScimError(await other.call("PATCH", `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: "remove", path: "members" }] }), 404);
      expectScimError(await other.call("DELETE", `/Users/${user.id}`), 404);
      expect((await other.call("GET", "/Users")).body.totalResults).toBe(0);
      expect((await other.call("GET", "/Groups")).body.totalResults).toBe(0);
      expect((await other.filter("/Users", 'userName eq "private@example.com"')).totalResults).toBe(0);
      expect((await other.filter("/Users", `id eq "${user.id}"`)).totalResults).toBe(0);
      // Naming the other configuration's user as a member: ignored, the call still succeeds.
      const own = await other.createGroup({ displayName: "Private", members: [{ value: user.id }] });
      expect(own.members ?? []).toEqual([]);
      const bulk = await other.call("POST", "/Bulk", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        Operations: [{ method: "DELETE", path: `/Users/${user.id}` }],
      });
      expect(bulk.body.Operations[0].status).toBe("404");
    }
    expect((await a.call("GET", `/Users/${user.id}`)).body.userName).toBe("private@example.com");
    expect(await a.memberIds(group.id)).toEqual([user.id]);
  });

  it("a regenerated token stops working mid-cycle (401), the new one carries on", async () => {
    const c = await newClient(server);
    const u = await c.createUser({ userName: "rotating" });
    const oldToken = c.tenant.token;
    const { token } = await admin(c).regenerateSCIMToken({ scimConfigurationId: c.tenant.scimConfigurationId });
    const refused = await c.call("PATCH", `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] });
    expectScimError(refused, 401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer realm="SCIM"/);
    c.tenant.token = token;
    expect(token).not.toBe(oldToken);
    const body = await c.patch(`/Users/${u.id}`, [{ op: "replace", value: { active: false } }]);
    expect(body.active).toBe(false);
  });
});
