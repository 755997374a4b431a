/**
 * Store ports of the SCIM wing. Every read and write of Users, Groups and memberships is scoped by
 * SCIM configuration, so a token can never reach another configuration's resources by id.
 * Versions make writes conditional: a replace with `expectedVersion` lands only if nobody wrote in
 * between ("stale" otherwise), which is how concurrent PATCHes never lose an update and how
 * If-Match is honoured without transactions.
 */
import type { ScimAttributes } from "../scim/scim-record.js";
import type { Page, PageRequest } from "../pagination.js";
import type { ListQuery, ListResult } from "./list-query.js";
import type { MemberFilter, MemberListPage, MemberListRequest } from "./member-list.js";
import type { FormerIdentity, MemberRecord, MemberStatus, ScimGroupRecord, ScimUserRecord } from "./records.js";

/** A write that found another version than the one it was based on. */
export type Stale = "stale";

export interface UserReplacement {
  attributes: ScimAttributes;
  userNameKey: string;
  active: boolean;
  lastModified: Date;
}

export interface ScimUserStore {
  /** @throws AlreadyExistsError(CONFLICT.scimUserName) when the configuration has the userName already. */
  create(record: ScimUserRecord): Promise<void>;
  get(scimConfigurationId: string, id: string): Promise<ScimUserRecord | undefined>;
  /** The configuration's User with this userName (lowercased), if any. */
  findByUserName(scimConfigurationId: string, userNameKey: string): Promise<ScimUserRecord | undefined>;
  /** The configuration's users among `ids` (unknown ids are left out), in no particular order. */
  getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimUserRecord[]>;
  list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimUserRecord>>;
  /**
   * Replaces the attributes and bumps the version, if the stored version is `expectedVersion`.
   * @throws AlreadyExistsError(CONFLICT.scimUserName) when the new userName is taken.
   */
  replace(scimConfigurationId: string, id: string, expectedVersion: number, next: UserReplacement): Promise<ScimUserRecord | Stale | undefined>;
  /** Deletes the user (if at `expectedVersion`, when given) and returns what was deleted. */
  delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimUserRecord | Stale | undefined>;
  /** Every identity of a member, across the organization's configurations. */
  listByMember(memberId: string): Promise<ScimUserRecord[]>;
}

export interface GroupReplacement {
  attributes: ScimAttributes;
  displayNameKey: string;
  lastModified: Date;
}

export interface ScimGroupStore {
  /** @throws AlreadyExistsError(CONFLICT.scimGroupName) when the configuration has the displayName already. */
  create(record: ScimGroupRecord): Promise<void>;
  get(scimConfigurationId: string, id: string): Promise<ScimGroupRecord | undefined>;
  getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimGroupRecord[]>;
  list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimGroupRecord>>;
  /**
   * Replaces the attributes and bumps the version; with `expectedVersion` only if the stored
   * version is that one.
   * @throws AlreadyExistsError(CONFLICT.scimGroupName) when the new displayName is taken.
   */
  replace(scimConfigurationId: string, id: string, expectedVersion: number | undefined, next: GroupReplacement): Promise<ScimGroupRecord | Stale | undefined>;
  /** Bumps the version and lastModified only (a membership change), conditionally like replace. */
  touch(scimConfigurationId: string, id: string, expectedVersion: number | undefined, lastModified: Date): Promise<ScimGroupRecord | Stale | undefined>;
  delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimGroupRecord | Stale | undefined>;
  /** A group of the organization, whichever of its SCIM configurations provisioned it (the management API's view). */
  getInOrganization(organizationId: string, id: string): Promise<ScimGroupRecord | undefined>;
  /** The organization's groups with this displayName (lowercased), across its configurations. */
  findByNameInOrganization(organizationId: string, displayNameKey: string): Promise<ScimGroupRecord[]>;
  /**
   * The organization's groups in id (creation) order, keyset paged; served by {organizationId, _id}
   * in MongoDB (ids and search are checked on the walked groups).
   */
  listInOrganization(organizationId: string, filter: OrganizationGroupFilter, page: PageRequest): Promise<Page<ScimGroupRecord>>;
}

/** ListGroups' filters that apply to provisioned groups. */
export interface OrganizationGroupFilter {
  /** Case-insensitive substring of the displayName, or of the id. */
  search?: string | undefined;
  ids?: readonly string[] | undefined;
}

/**
 * Group memberships, one record per (group, user): adding or removing a member is one small
 * idempotent write whatever the group's size, and concurrent changes never overwrite each other.
 */
export interface MembershipStore {
  /** Adds the users to the group; ones already members stay as they are. */
  add(scimConfigurationId: string, groupId: string, userIds: readonly string[], now: Date): Promise<void>;
  remove(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void>;
  removeAll(scimConfigurationId: string, groupId: string): Promise<void>;
  /** The group's member ids, in the order they were added. */
  membersOf(scimConfigurationId: string, groupId: string): Promise<string[]>;
  /** The ids of the groups a user is a member of. */
  groupsOf(scimConfigurationId: string, userId: string): Promise<string[]>;
  /** Forgets every membership of a deleted user. */
  removeUser(scimConfigurationId: string, userId: string): Promise<void>;
  /** The group's member (SCIM User) ids in id order, keyset paged after `page.afterId`; {scimConfigurationId, groupId, userId} in MongoDB. */
  pageMembers(scimConfigurationId: string, groupId: string, page: PageRequest): Promise<Page<string>>;
  /** How many members the group has. */
  countMembers(scimConfigurationId: string, groupId: string): Promise<number>;
}

export interface MemberChanges {
  status?: MemberStatus;
  email?: string;
  emailKey?: string;
  fullName?: string;
  /** memberNameKey(fullName), set with fullName. */
  nameKey?: string;
  /** Added to the member's former identities (when its identity there is deleted). */
  addFormerIdentity?: FormerIdentity;
  /** Removed from them (when the identity is provisioned again). */
  removeFormerIdentity?: FormerIdentity;
}

export type { MemberFilter } from "./member-list.js";

export interface MemberStore {
  create(record: MemberRecord): Promise<void>;
  get(organizationId: string, id: string): Promise<MemberRecord | undefined>;
  findByEmail(organizationId: string, emailKey: string): Promise<MemberRecord[]>;
  /**
   * Both ways a new User finds its member again, in one lookup: the member that had this
   * userName in this configuration (`former`), and the members with this email (`byEmail`; none
   * when emailKey is "").
   */
  findFormerOrEmail(organizationId: string, identity: FormerIdentity, emailKey: string): Promise<{ former?: MemberRecord; byEmail: MemberRecord[] }>;
  /** The member that had this userName in this configuration before its identity was deleted. */
  findFormer(organizationId: string, identity: FormerIdentity): Promise<MemberRecord | undefined>;
  update(organizationId: string, id: string, changes: MemberChanges, now: Date): Promise<MemberRecord | undefined>;
  /**
   * One keyset page in the request's order (name: {nameKey, id}; member since: id), after the
   * request's position. Served by ordered indexes: {organizationId, [status], nameKey, _id} and
   * {organizationId, [status], _id} in MongoDB.
   */
  list(organizationId: string, request: MemberListRequest): Promise<MemberListPage<MemberRecord>>;
  /** How many members match the filter. */
  count(organizationId: string, filter: MemberFilter): Promise<number>;
}
