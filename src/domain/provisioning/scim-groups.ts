import { AUDIT_ACTION, type AuditAction, type AuditContext } from "../audit/audit-entry.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import { changedScimAttributes } from "../audit/changed-fields.js";
import type { Clock } from "../clock.js";
import { AlreadyExistsError } from "../errors.js";
import { newId } from "../ids.js";
import type { ScimConfigurationRecord } from "../records.js";
import { normalizePatchRequest } from "../scim/idp-normalization.js";
import { applyPatch, type MembershipChange } from "../scim/patch-engine.js";
import type { ResourceLink } from "../scim/render-resource.js";
import { readReplacementInput, readResourceInput } from "../scim/resource-input.js";
import { GROUP_RESOURCE } from "../scim/schema.js";
import { ScimError } from "../scim/scim-error.js";
import { caseKey } from "./identity-facts.js";
import type { ListQuery, ListResult } from "./list-query.js";
import type { MembershipStore, ScimGroupStore, ScimUserStore } from "./ports.js";
import type { ScimGroupRecord, ScimUserRecord } from "./records.js";
import { requireVersion, ResourceWriteQueue, withVersionRetry, type VersionCondition } from "./versioned-write.js";

/** A Group as the routes render it: the record, and its members when they were asked for. */
export interface GroupView {
  record: ScimGroupRecord;
  members?: ResourceLink[];
}

export interface ScimGroupsDeps {
  users: ScimUserStore;
  groups: ScimGroupStore;
  memberships: MembershipStore;
  clock: Clock;
  audit: AuditTrail;
}

const notFound = (id: string) => new ScimError(404, undefined, `Group ${id} not found.`);

/**
 * The /Groups use cases for one SCIM configuration. Members are membership records, not an array
 * in the group: adding or removing one member is a small idempotent write plus a version bump of
 * the group, the same in a 10-member and a 100,000-member group, and concurrent membership
 * changes never overwrite each other. Member values that name no User of the configuration are
 * ignored (not stored), and the call still succeeds.
 *
 * Without transactions a change that touches the group and its memberships is several writes.
 * The order is: the group's new version first (conditional on If-Match when given), then the
 * membership writes, each idempotent. If the process dies in between, the memberships of that
 * request are missing; the identity provider, having no answer, retries the same request, and the
 * retry converges (adds and removes are idempotent; a rename is already there). A retry carrying
 * If-Match gets 412, after which identity providers read the group again and resend.
 *
 * Every write is recorded in the audit trail once the request's writes are done (audit-trail.ts
 * says why after): an update names the attributes that changed, and "members" for membership
 * changes, never member ids or values.
 */
export class ScimGroups {
  /** Writes to one resource queue up in this process (see ResourceWriteQueue). */
  private readonly queue = new ResourceWriteQueue();

  constructor(private readonly deps: ScimGroupsDeps) {}

  async create(configuration: ScimConfigurationRecord, body: unknown, context: AuditContext): Promise<GroupView> {
    const input = readResourceInput(GROUP_RESOURCE, body);
    const now = this.deps.clock.now();
    const record: ScimGroupRecord = {
      id: newId(now),
      version: 1,
      created: now,
      lastModified: now,
      attributes: input.attributes,
      scimConfigurationId: configuration.id,
      organizationId: configuration.organizationId,
      displayNameKey: caseKey(input.attributes["displayName"]),
    };
    await this.deps.groups.create(record).catch(rethrowUniqueness);
    const members = input.members ? await this.existingUsers(configuration, input.members) : [];
    if (members.length > 0) await this.deps.memberships.add(configuration.id, record.id, members.map((u) => u.id), now);
    await this.record(context, AUDIT_ACTION.groupCreate, record);
    return { record, members: members.map(linkOf) };
  }

  async get(configuration: ScimConfigurationRecord, id: string, withMembers: boolean): Promise<GroupView> {
    const record = await this.deps.groups.get(configuration.id, id);
    if (!record) throw notFound(id);
    return this.view(configuration, record, withMembers);
  }

  async list(configuration: ScimConfigurationRecord, query: ListQuery, withMembers: boolean): Promise<ListResult<GroupView>> {
    const page = await this.deps.groups.list(configuration.id, query);
    const items = await Promise.all(page.items.map((r) => this.view(configuration, r, withMembers)));
    return { ...page, items };
  }

  /** PUT: every writable attribute replaced; `members` given replaces the membership. */
  async replace(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withMembers: boolean, context: AuditContext): Promise<GroupView> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.replaceNow(configuration, id, body, ifMatch, withMembers, context));
  }

  private async replaceNow(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withMembers: boolean, context: AuditContext): Promise<GroupView> {
    let members: string[] | undefined;
    let before: ScimGroupRecord | undefined;
    const record = await withVersionRetry(ifMatch, async () => {
      const current = (before = await this.current(configuration, id, ifMatch));
      const input = readReplacementInput(GROUP_RESOURCE, body, current.attributes);
      members = input.members;
      const next = { attributes: input.attributes, displayNameKey: caseKey(input.attributes["displayName"]), lastModified: this.deps.clock.now() };
      return this.deps.groups.replace(configuration.id, id, current.version, next).catch(rethrowUniqueness);
    });
    if (!record) throw notFound(id);
    const membersChanged = members !== undefined && (await this.replaceMembership(configuration, id, members));
    await this.record(context, AUDIT_ACTION.groupReplace, record, [...changedScimAttributes(before!.attributes, record.attributes), ...(membersChanged ? ["members"] : [])]);
    return this.view(configuration, record, withMembers);
  }

  /** PATCH: attribute operations on the group, member operations on its memberships. */
  async patch(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withMembers: boolean, context: AuditContext): Promise<GroupView> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.patchNow(configuration, id, body, ifMatch, withMembers, context));
  }

  private async patchNow(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withMembers: boolean, context: AuditContext): Promise<GroupView> {
    let change: MembershipChange | undefined;
    let before: ScimGroupRecord | undefined;
    const record = await withVersionRetry(ifMatch, async () => {
      const current = (before = await this.current(configuration, id, ifMatch));
      const result = applyPatch(GROUP_RESOURCE, current, normalizePatchRequest(GROUP_RESOURCE, body, { resourceId: id }));
      change = result.members;
      const now = this.deps.clock.now();
      if (JSON.stringify(result.attributes) !== JSON.stringify(current.attributes)) {
        const next = { attributes: result.attributes, displayNameKey: caseKey(result.attributes["displayName"]), lastModified: now };
        return this.deps.groups.replace(configuration.id, id, current.version, next).catch(rethrowUniqueness);
      }
      if (!result.changed) return current;
      // Membership only: bump the version without rewriting the group (conditional only when
      // the client asked for it, so concurrent member changes never make each other retry).
      return this.deps.groups.touch(configuration.id, id, ifMatch === undefined ? undefined : current.version, now);
    });
    if (!record) throw notFound(id);
    if (change) await this.applyMembership(configuration, id, change);
    // Unchanged (the same version came back): nothing was written, nothing is recorded.
    if (record.version !== before!.version) {
      await this.record(context, AUDIT_ACTION.groupPatch, record, [...changedScimAttributes(before!.attributes, record.attributes), ...(change ? ["members"] : [])]);
    }
    return this.view(configuration, record, withMembers);
  }

  async delete(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined, context: AuditContext): Promise<void> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.deleteNow(configuration, id, ifMatch, context));
  }

  private async deleteNow(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined, context: AuditContext): Promise<void> {
    const deleted = await withVersionRetry(ifMatch, async () => {
      const current = await this.current(configuration, id, ifMatch);
      return this.deps.groups.delete(configuration.id, id, current.version);
    });
    if (!deleted) throw notFound(id);
    await this.deps.memberships.removeAll(configuration.id, id);
    await this.record(context, AUDIT_ACTION.groupDelete, deleted);
  }

  private record(context: AuditContext, action: AuditAction, group: ScimGroupRecord, changed: string[] = []): Promise<void> {
    return this.deps.audit.record(context, {
      organizationId: group.organizationId,
      action,
      subjectType: "group",
      subjectId: group.id,
      changedFields: changed,
      scimConfigurationId: group.scimConfigurationId,
      scimResourceId: group.id,
    });
  }

  private async current(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined): Promise<ScimGroupRecord> {
    const current = await this.deps.groups.get(configuration.id, id);
    if (!current) throw notFound(id);
    requireVersion(ifMatch, current.version);
    return current;
  }

  private async applyMembership(configuration: ScimConfigurationRecord, groupId: string, change: MembershipChange): Promise<void> {
    const { memberships } = this.deps;
    if (change.removeAll) await memberships.removeAll(configuration.id, groupId);
    if (change.remove.length > 0) await memberships.remove(configuration.id, groupId, change.remove);
    if (change.add.length > 0) {
      const users = await this.existingUsers(configuration, change.add);
      if (users.length > 0) await memberships.add(configuration.id, groupId, users.map((u) => u.id), this.deps.clock.now());
    }
  }

  /** Makes the membership exactly `ids` (those naming Users of the configuration): only the difference is written. Returns whether it changed. */
  private async replaceMembership(configuration: ScimConfigurationRecord, groupId: string, ids: readonly string[]): Promise<boolean> {
    const wanted = new Set((await this.existingUsers(configuration, ids)).map((u) => u.id));
    const current = new Set(await this.deps.memberships.membersOf(configuration.id, groupId));
    const remove = [...current].filter((id) => !wanted.has(id));
    const add = [...wanted].filter((id) => !current.has(id));
    if (remove.length > 0) await this.deps.memberships.remove(configuration.id, groupId, remove);
    if (add.length > 0) await this.deps.memberships.add(configuration.id, groupId, add, this.deps.clock.now());
    return remove.length > 0 || add.length > 0;
  }

  /** The Users of the configuration among `ids`, in the order given. */
  private async existingUsers(configuration: ScimConfigurationRecord, ids: readonly string[]): Promise<ScimUserRecord[]> {
    const found = new Map((await this.deps.users.getMany(configuration.id, ids)).map((u) => [u.id, u]));
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  private async view(configuration: ScimConfigurationRecord, record: ScimGroupRecord, withMembers: boolean): Promise<GroupView> {
    if (!withMembers) return { record };
    const ids = await this.deps.memberships.membersOf(configuration.id, record.id);
    return { record, members: (await this.existingUsers(configuration, ids)).map(linkOf) };
  }
}

/** A member as a Group shows it: the User's displayName, else its userName. */
function linkOf(user: ScimUserRecord): ResourceLink {
  const display = user.attributes["displayName"] ?? user.attributes["userName"];
  return typeof display === "string" ? { value: user.id, display } : { value: user.id };
}

function rethrowUniqueness(err: unknown): never {
  if (err instanceof AlreadyExistsError) throw new ScimError(409, "uniqueness", err.message);
  throw err;
}
