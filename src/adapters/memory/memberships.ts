import type { MembershipStore } from "../../domain/provisioning/ports.js";

/**
 * Memberships in memory: per group an insertion-ordered set of user ids, per user a set of group
 * ids. Adding or removing one member is O(1) whatever the group's size.
 */
export class MemoryMembershipStore implements MembershipStore {
  private readonly usersByGroup = new Map<string, Set<string>>();
  private readonly groupsByUser = new Map<string, Set<string>>();

  async add(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, true)!;
    for (const userId of userIds) {
      users.add(userId);
      this.groupsOf_(scimConfigurationId, userId, true)!.add(groupId);
    }
  }

  async remove(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, false);
    for (const userId of userIds) {
      users?.delete(userId);
      this.groupsOf_(scimConfigurationId, userId, false)?.delete(groupId);
    }
  }

  async removeAll(scimConfigurationId: string, groupId: string): Promise<void> {
    const users = this.usersOf(scimConfigurationId, groupId, false);
    for (const userId of users ?? []) this.groupsOf_(scimConfigurationId, userId, false)?.delete(groupId);
    this.usersByGroup.delete(`${scimConfigurationId}/${groupId}`);
  }

  async membersOf(scimConfigurationId: string, groupId: string): Promise<string[]> {
    return [...(this.usersOf(scimConfigurationId, groupId, false) ?? [])];
  }

  async groupsOf(scimConfigurationId: string, userId: string): Promise<string[]> {
    return [...(this.groupsOf_(scimConfigurationId, userId, false) ?? [])];
  }

  async removeUser(scimConfigurationId: string, userId: string): Promise<void> {
    for (const groupId of this.groupsOf_(scimConfigurationId, userId, false) ?? []) this.usersOf(scimConfigurationId, groupId, false)?.delete(userId);
    this.groupsByUser.delete(`${scimConfigurationId}/${userId}`);
  }

  private usersOf(scimConfigurationId: string, groupId: string, create: boolean): Set<string> | undefined {
    return at(this.usersByGroup, `${scimConfigurationId}/${groupId}`, create);
  }

  private groupsOf_(scimConfigurationId: string, userId: string, create: boolean): Set<string> | undefined {
    return at(this.groupsByUser, `${scimConfigurationId}/${userId}`, create);
  }
}

function at(map: Map<string, Set<string>>, key: string, create: boolean): Set<string> | undefined {
  let set = map.get(key);
  if (!set && create) map.set(key, (set = new Set()));
  return set;
}
