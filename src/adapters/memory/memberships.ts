import { encodeCursor, type Page, type PageRequest } from "../../domain/pagination.js";
import type { MembershipStore } from "../../domain/provisioning/ports.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

/**
 * Memberships in memory: per group an insertion-ordered set of user ids and the same ids in
 * order (for keyset pages of members), per user a set of group ids. Adding or removing one member
 * is O(log n) whatever the group's size.
 */
export class MemoryMembershipStore implements MembershipStore {
  private readonly usersByGroup = new Map<string, Set<string>>();
  private readonly orderedUsers = new OrderedKeysByTenant();
  private readonly groupsByUser = new Map<string, Set<string>>();

  async add(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, true)!;
    for (const userId of userIds) {
      users.add(userId);
      this.orderedUsers.insert(groupKey(scimConfigurationId, groupId), userId);
      this.groupsOf_(scimConfigurationId, userId, true)!.add(groupId);
    }
  }

  async remove(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, false);
    for (const userId of userIds) {
      users?.delete(userId);
      this.orderedUsers.delete(groupKey(scimConfigurationId, groupId), userId);
      this.groupsOf_(scimConfigurationId, userId, false)?.delete(groupId);
    }
  }

  async removeAll(scimConfigurationId: string, groupId: string): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, false);
    for (const userId of users ?? []) {
      this.groupsOf_(scimConfigurationId, userId, false)?.delete(groupId);
      this.orderedUsers.delete(groupKey(scimConfigurationId, groupId), userId);
    }
    this.usersByGroup.delete(groupKey(scimConfigurationId, groupId));
  }

  async membersOf(scimConfigurationId: string, groupId: string): Promise<string[]> {
    return [...(this.usersOf(scimConfigurationId, groupId, false) ?? [])];
  }

  async groupsOf(scimConfigurationId: string, userId: string): Promise<string[]> {
    return [...(this.groupsOf_(scimConfigurationId, userId, false) ?? [])];
  }

  async removeUser(scimConfigurationId: string, userId: string): Promise<void> {
    for (const groupId of this.groupsOf_(scimConfigurationId, userId, false) ?? []) {
      this.usersOf(scimConfigurationId, groupId, false)?.delete(userId);
      this.orderedUsers.delete(groupKey(scimConfigurationId, groupId), userId);
    }
    this.groupsByUser.delete(`${scimConfigurationId}/${userId}`);
  }

  async pageMembers(scimConfigurationId: string, groupId: string, page: PageRequest): Promise<Page<string>> {
    const ids = this.orderedUsers.after(groupKey(scimConfigurationId, groupId), page.afterId, page.limit + 1);
    const items = ids.slice(0, page.limit);
    return { items, nextToken: ids.length > page.limit ? encodeCursor(items[items.length - 1]!) : "" };
  }

  async countMembers(scimConfigurationId: string, groupId: string): Promise<number> {
    return this.orderedUsers.count(groupKey(scimConfigurationId, groupId));
  }

  private usersOf(scimConfigurationId: string, groupId: string, create: boolean): Set<string> | undefined {
    return at(this.usersByGroup, groupKey(scimConfigurationId, groupId), create);
  }

  private groupsOf_(scimConfigurationId: string, userId: string, create: boolean): Set<string> | undefined {
    return at(this.groupsByUser, `${scimConfigurationId}/${userId}`, create);
  }
}

const groupKey = (scimConfigurationId: string, groupId: string) => `${scimConfigurationId}/${groupId}`;

function at(map: Map<string, Set<string>>, key: string, create: boolean): Set<string> | undefined {
  let set = map.get(key);
  if (!set && create) map.set(key, (set = new Set()));
  return set;
}
