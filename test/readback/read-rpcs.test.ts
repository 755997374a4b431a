import { randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLogEntryKind, EventService, ResourceType } from "../../gen/gitpod/v1/event_pb.js";
import { GroupService } from "../../gen/gitpod/v1/group_pb.js";
import { Principal } from "../../gen/gitpod/v1/identity_pb.js";
import { ListMembersRequest_SortField, OrganizationRole, OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { SortOrder } from "../../gen/gitpod/v1/pagination_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { PROTOCOLS, transportFor, type Protocol } from "../support/clients.js";
import { runProvisioning, type ProvisioningRun } from "../support/provisioning-run.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const clients = (protocol: Protocol, baseUrl: string, key: string) => {
  const transport = transportFor(protocol, baseUrl, key);
  return {
    org: createClient(OrganizationService, transport),
    groups: createClient(GroupService, transport),
    events: createClient(EventService, transport),
    details: createClient(AuditDetailService, transport),
  };
};

const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => Code[ConnectError.from(e).code]);

describe("reading provisioning back through the management API (memory store)", () => {
  let server: TestServer;
  let run: ProvisioningRun;
  let otherOrg: string;
  let otherKey: string;
  let otherRun: ProvisioningRun;

  beforeAll(async () => {
    server = await startTestServer();
    run = await runProvisioning(server, "run");
    otherOrg = randomUUID();
    otherKey = await server.key("admin", otherOrg);
    otherRun = await runProvisioning(server, "other", { organizationId: otherOrg, adminKey: otherKey });
  });
  afterAll(() => server.close());

  describe.each(PROTOCOLS)("over %s", (protocol) => {
    it("ListMembers: each member's status, email, name, login provider and member-since; filters, sorts and count", async () => {
      const { org } = clients(protocol, server.baseUrl, server.adminKey);
      const all = await org.listMembers({ organizationId: server.organizationId, count: { include: true } });
      const p = run.people;
      // Unspecified sort: by name, ascending.
      expect(all.members.map((m) => [m.fullName, m.email, UserStatus[m.status], m.userId])).toEqual([
        ["Alice Archer", "alice@example.com", "ACTIVE", p.alice.userId],
        ["Bob Baker", "bob@example.com", "ACTIVE", p.bob.userId],
        ["Carol Cooper", "carol@example.com", "SUSPENDED", p.carol.userId],
        ["Dave Dunn", "dave@example.com", "LEFT", p.dave.userId],
        ["Erin Evans", "erin@example.com", "ACTIVE", p.erin.userId],
      ]);
      expect(all.count?.value).toBe(5);
      expect(all.pagination?.nextToken).toBe("");
      for (const m of all.members) {
        expect(m.role).toBe(OrganizationRole.MEMBER);
        expect(m.loginProvider).toBe(run.tenant.scimConfigurationId);
        expect(Math.abs(timestampDate(m.memberSince!).getTime() - Date.now())).toBeLessThan(60_000);
      }
      const names = async (req: Parameters<typeof org.listMembers>[0]) => (await org.listMembers({ organizationId: server.organizationId, ...req })).members.map((m) => m.fullName.split(" ")[0]);
      expect(await names({ filter: { statuses: [UserStatus.SUSPENDED, UserStatus.LEFT] } })).toEqual(["Carol", "Dave"]);
      expect(await names({ filter: { statuses: [UserStatus.ACTIVE] }, sort: { field: ListMembersRequest_SortField.NAME, order: SortOrder.DESC } })).toEqual(["Erin", "Bob", "Alice"]);
      expect(await names({ sort: { field: ListMembersRequest_SortField.DATE_JOINED, order: SortOrder.DESC } })).toEqual(["Erin", "Dave", "Carol", "Bob", "Alice"]);
      expect(await names({ filter: { search: "COOP" } })).toEqual(["Carol"]);
      expect(await names({ filter: { search: "B@EXAMPLE" } })).toEqual(["Bob"]);
      expect(await names({ filter: { email: "BOB@example.com" } })).toEqual(["Bob"]);
      expect(await names({ filter: { userIds: [p.erin.userId, p.alice.userId] } })).toEqual(["Alice", "Erin"]);
      expect(await names({ filter: { roles: [OrganizationRole.ADMIN] } })).toEqual([]);
      const counted = await org.listMembers({ organizationId: server.organizationId, filter: { statuses: [UserStatus.ACTIVE] }, count: { include: true }, pagination: { pageSize: 1 } });
      expect([counted.members.length, counted.count?.value, counted.pagination?.nextToken !== ""]).toEqual([1, 3, true]);
    });

    it("GroupService: the group with its member count, its memberships, one membership", async () => {
      const { groups } = clients(protocol, server.baseUrl, server.adminKey);
      const listed = await groups.listGroups({});
      expect(listed.groups.map((g) => [g.id, g.name, g.memberCount, g.organizationId, g.systemManaged])).toEqual([[run.groupId, "Engineering", 4, server.organizationId, false]]);
      expect(listed.groups[0]!.description).toContain(run.tenant.scimConfigurationId);
      expect((await groups.getGroup({ groupId: run.groupId })).group?.name).toBe("Engineering");
      expect((await groups.getGroup({ group: { case: "name", value: "engineering" } })).group?.id).toBe(run.groupId);
      expect((await groups.listGroups({ filter: { search: "ENGIN" } })).groups).toHaveLength(1);
      expect((await groups.listGroups({ filter: { search: "sales" } })).groups).toHaveLength(0);

      const members = await groups.listMemberships({ groupId: run.groupId });
      const p = run.people;
      expect(members.members.map((m) => [m.subject?.id, Principal[m.subject!.principal], m.name, m.groupId])).toEqual(
        [p.alice, p.bob, p.carol, p.erin].map((x) => [x.userId, "USER", x.fullName, run.groupId]),
      );
      const firstPage = await groups.listMemberships({ groupId: run.groupId, pagination: { pageSize: 3 } });
      const secondPage = await groups.listMemberships({ groupId: run.groupId, pagination: { pageSize: 3, token: firstPage.pagination!.nextToken } });
      expect([...firstPage.members, ...secondPage.members].map((m) => m.name)).toEqual(members.members.map((m) => m.name));
      expect(secondPage.pagination?.nextToken).toBe("");
      expect((await groups.listMemberships({ groupId: run.groupId, filter: { search: "baker" } })).members.map((m) => m.name)).toEqual(["Bob Baker"]);
      const one = await groups.getMembership({ groupId: run.groupId, subject: { id: p.carol.userId, principal: Principal.USER } });
      expect(one.member?.id).toBe(members.members[2]!.id);
      expect(await codeOf(groups.getMembership({ groupId: run.groupId, subject: { id: p.dave.userId, principal: Principal.USER } }))).toBe("NotFound");
    });

    it("GroupService writes: failed_precondition naming the SCIM configuration; create, roles and shares unimplemented", async () => {
      const { groups } = clients(protocol, server.baseUrl, server.adminKey);
      const refused = await groups.updateGroup({ groupId: run.groupId, name: "x" }).catch((e: unknown) => ConnectError.from(e));
      expect((refused as ConnectError).code).toBe(Code.FailedPrecondition);
      expect((refused as ConnectError).rawMessage).toContain(`SCIM configuration ${run.tenant.scimConfigurationId}`);
      expect(await codeOf(groups.deleteGroup({ groupId: run.groupId }))).toBe("FailedPrecondition");
      expect(await codeOf(groups.createMembership({ groupId: run.groupId, subject: { id: run.people.dave.userId, principal: Principal.USER } }))).toBe("FailedPrecondition");
      const membershipId = (await groups.listMemberships({ groupId: run.groupId })).members[0]!.id;
      expect(await codeOf(groups.deleteMembership({ membershipId }))).toBe("FailedPrecondition");
      expect(await codeOf(groups.createGroup({ organizationId: server.organizationId, name: "Sales" }))).toBe("Unimplemented");
      expect(await codeOf(groups.listRoleAssignments({}))).toBe("Unimplemented");
      expect(await codeOf(groups.shareResourceWithPrincipal({}))).toBe("Unimplemented");
      // The group is untouched.
      expect((await groups.getGroup({ groupId: run.groupId })).group?.memberCount).toBe(4);
      // A member key is refused before anything else.
      const member = clients(protocol, server.baseUrl, await server.key("member")).groups;
      expect(await codeOf(member.deleteGroup({ groupId: run.groupId }))).toBe("PermissionDenied");
    });

    it("EventService and AuditDetailService: the run's entries newest first, with details", async () => {
      const { events, details } = clients(protocol, server.baseUrl, server.adminKey);
      const scimEntries = await events.listAuditLogs({ filter: { actorIds: [run.tenant.scimConfigurationId] }, pagination: { pageSize: 100 } });
      expect(scimEntries.entries.map((e) => e.action)).toEqual(run.changes.map((c) => c[0]).reverse());
      for (const e of scimEntries.entries) {
        expect(e.actorPrincipal).toBe(Principal.SERVICE_ACCOUNT);
        expect(e.kind).toBe(AuditLogEntryKind.RESOURCE_CHANGE);
      }
      const got = await events.getAuditLog({ auditLogEntryId: scimEntries.entries[0]!.id });
      expect(got.entry).toEqual(scimEntries.entries[0]);
      const d = await details.getAuditLogDetails({ auditLogEntryIds: scimEntries.entries.map((e) => e.id) });
      expect(d.details.map((x) => [x.requestId, x.bulkOperation])).toEqual(run.changes.map((c) => [c[1], c[3]]).reverse());
      const bySubject = await events.listAuditLogs({ filter: { subjectIds: [run.people.carol.userId] } });
      expect(bySubject.entries.map((e) => [e.action, ResourceType[e.subjectType]])).toEqual([
        ["scim.user.patch", "USER"],
        ["scim.user.create", "USER"],
      ]);
      const groupsOnly = await events.listAuditLogs({ filter: { subjectTypes: [ResourceType.GROUP] }, sort: { field: "createdAt", order: SortOrder.ASC } });
      expect(groupsOnly.entries.map((e) => e.action)).toEqual(["scim.group.create", "scim.group.patch", "scim.group.patch"]);
    });

    it("another organization's data is not found; naming another organization is permission_denied", async () => {
      const mine = clients(protocol, server.baseUrl, server.adminKey);
      expect(await codeOf(mine.org.listMembers({ organizationId: otherOrg }))).toBe("PermissionDenied");
      expect(await codeOf(mine.groups.getGroup({ groupId: otherRun.groupId }))).toBe("NotFound");
      expect(await codeOf(mine.groups.listMemberships({ groupId: otherRun.groupId }))).toBe("NotFound");
      expect(await codeOf(mine.groups.updateGroup({ groupId: otherRun.groupId }))).toBe("NotFound");
      expect((await mine.groups.listGroups({ filter: { groupIds: [otherRun.groupId] } })).groups).toEqual([]);
      const theirs = clients(protocol, server.baseUrl, otherKey);
      const theirEntry = (await theirs.events.listAuditLogs({ pagination: { pageSize: 1 } })).entries[0]!;
      expect(await codeOf(mine.events.getAuditLog({ auditLogEntryId: theirEntry.id }))).toBe("NotFound");
      expect((await mine.details.getAuditLogDetails({ auditLogEntryIds: [theirEntry.id] })).details).toEqual([]);
      expect((await mine.events.listAuditLogs({ filter: { subjectIds: [otherRun.people.alice.userId] } })).entries).toEqual([]);
      expect((await theirs.org.listMembers({ organizationId: otherOrg })).members.map((m) => m.userId)).not.toContain(run.people.alice.userId);
    });
  });

  it("bad input is invalid_argument naming the field", async () => {
    const { org, groups, events } = clients("connect-json", server.baseUrl, server.adminKey);
    const message = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => ConnectError.from(e).rawMessage);
    expect(await message(org.listMembers({ organizationId: "nope" }))).toBe("organization_id must be a UUID");
    expect(await message(org.listMembers({ organizationId: server.organizationId, filter: { userIds: ["x"] } }))).toBe("filter.user_ids[0] must be a UUID");
    expect(await message(org.listMembers({ organizationId: server.organizationId, filter: { excludeGroupIds: [run.groupId] } }))).toMatch(/^filter.exclude_group_ids is not supported/);
    expect(await message(org.listMembers({ organizationId: server.organizationId, pagination: { token: "garbage" } }))).toBe("pagination.token is not a page token returned by this service");
    expect(await message(groups.listMemberships({ groupId: "" }))).toBe("group_id is required");
    expect(await message(events.listAuditLogs({ sort: { field: "actorId" } }))).toBe('sort.field must be "createdAt" (or empty)');
  });
});
