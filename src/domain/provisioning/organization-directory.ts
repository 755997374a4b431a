import { FailedPreconditionError, NotFoundError } from "../errors.js";
import { toPage, type Page, type PageRequest } from "../pagination.js";
import type { ScimConfigurationStore } from "../ports.js";
import { identityFacts } from "./identity-facts.js";
import type { MemberFilter, MemberListPage, MemberListRequest } from "./member-list.js";
import type { MembershipStore, MemberStore, OrganizationGroupFilter, ScimGroupStore, ScimUserStore } from "./ports.js";
import type { MemberRecord, ScimGroupRecord } from "./records.js";

/** A group as the management API shows it: the record and how many members it has. */
export interface GroupSummary {
  group: ScimGroupRecord;
  memberCount: number;
}

/** One member of a group, as the management API shows it. */
export interface GroupMemberView {
  /** The SCIM User's id: the membership's position in the group (and the page cursor). */
  id: string;
  groupId: string;
  /** The member's user id (as ListMembers shows it). */
  userId: string;
  /** The User's name as its identity provider gives it. */
  name: string;
}

export interface OrganizationDirectoryDeps {
  members: MemberStore;
  users: ScimUserStore;
  groups: ScimGroupStore;
  memberships: MembershipStore;
  scimConfigurations: ScimConfigurationStore;
}

const groupNotFound = (id: string) => new NotFoundError(`group ${id} not found`);

/**
 * What identity providers provisioned, read back for one organization across all its SCIM
 * configurations: members, groups and group memberships (the management API's read side). Every
 * read is scoped by organization: another organization's group is "not found".
 */
export class OrganizationDirectory {
  constructor(private readonly deps: OrganizationDirectoryDeps) {}

  listMembers(organizationId: string, request: MemberListRequest): Promise<MemberListPage<MemberRecord>> {
    return this.deps.members.list(organizationId, request);
  }

  countMembers(organizationId: string, filter: MemberFilter): Promise<number> {
    return this.deps.members.count(organizationId, filter);
  }

  async getGroup(organizationId: string, id: string): Promise<GroupSummary> {
    return this.summary(await this.group(organizationId, id));
  }

  /** By displayName, case-insensitively; several configurations may each have one of that name. */
  async getGroupByName(organizationId: string, name: string): Promise<GroupSummary> {
    const found = await this.deps.groups.findByNameInOrganization(organizationId, name.toLowerCase());
    if (found.length === 0) throw new NotFoundError(`no group named ${JSON.stringify(name)}`);
    if (found.length > 1) {
      throw new FailedPreconditionError(`${found.length} groups are named ${JSON.stringify(name)} (one per SCIM configuration); get one by its id`);
    }
    return this.summary(found[0]!);
  }

  async listGroups(organizationId: string, filter: OrganizationGroupFilter, page: PageRequest): Promise<Page<GroupSummary>> {
    const result = await this.deps.groups.listInOrganization(organizationId, filter, page);
    return { items: await Promise.all(result.items.map((g) => this.summary(g))), nextToken: result.nextToken };
  }

  /** The group's members in membership order (SCIM User ids, i.e. creation order), `search` matching their names. */
  async listMemberships(organizationId: string, groupId: string, search: string | undefined, page: PageRequest): Promise<Page<GroupMemberView>> {
    const group = await this.group(organizationId, groupId);
    const needle = search?.toLowerCase();
    const out: GroupMemberView[] = [];
    let afterId = page.afterId;
    // Membership records may outlive a deleted User (a crash between the two deletes): skip them.
    for (;;) {
      const chunk = await this.deps.memberships.pageMembers(group.scimConfigurationId, group.id, { limit: Math.max(64, page.limit + 1), afterId });
      const users = new Map((await this.deps.users.getMany(group.scimConfigurationId, chunk.items)).map((u) => [u.id, u]));
      for (const id of chunk.items) {
        const user = users.get(id);
        if (!user) continue;
        const name = identityFacts(user.attributes).fullName;
        if (needle && !name.toLowerCase().includes(needle)) continue;
        out.push({ id, groupId: group.id, userId: user.memberId, name });
        if (out.length > page.limit) return toPage(out, page.limit);
      }
      if (chunk.nextToken === "" || chunk.items.length === 0) return toPage(out, page.limit);
      afterId = chunk.items[chunk.items.length - 1];
    }
  }

  /** The membership of a member (by user id) in a group, if the member is in it. */
  async getMembership(organizationId: string, groupId: string, userId: string): Promise<GroupMemberView> {
    const group = await this.group(organizationId, groupId);
    const identities = (await this.deps.users.listByMember(userId)).filter((u) => u.organizationId === organizationId && u.scimConfigurationId === group.scimConfigurationId);
    for (const user of identities) {
      if ((await this.deps.memberships.groupsOf(group.scimConfigurationId, user.id)).includes(group.id)) {
        return { id: user.id, groupId: group.id, userId, name: identityFacts(user.attributes).fullName };
      }
    }
    throw new NotFoundError(`user ${userId} is not a member of group ${groupId}`);
  }

  /**
   * Refuses a write to a provisioned group through the management API, naming the SCIM
   * configuration that owns it: the identity provider would undo the change on its next sync.
   */
  async refuseGroupWrite(organizationId: string, groupId: string, what: string): Promise<never> {
    const group = await this.group(organizationId, groupId);
    const owner = await this.deps.scimConfigurations.get(organizationId, group.scimConfigurationId);
    const named = owner?.name ? ` ("${owner.name}")` : "";
    throw new FailedPreconditionError(
      `group ${group.id} is provisioned by SCIM configuration ${group.scimConfigurationId}${named}: ${what} in the identity provider that provisions it, not through this API`,
    );
  }

  private async group(organizationId: string, id: string): Promise<ScimGroupRecord> {
    const group = await this.deps.groups.getInOrganization(organizationId, id);
    if (!group) throw groupNotFound(id);
    return group;
  }

  private async summary(group: ScimGroupRecord): Promise<GroupSummary> {
    return { group, memberCount: await this.deps.memberships.countMembers(group.scimConfigurationId, group.id) };
  }
}
