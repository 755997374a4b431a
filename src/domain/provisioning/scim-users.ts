import { AUDIT_ACTION, type AuditAction, type AuditContext } from "../audit/audit-entry.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import { changedScimAttributes } from "../audit/changed-fields.js";
import type { Clock } from "../clock.js";
import { AlreadyExistsError } from "../errors.js";
import { newId } from "../ids.js";
import type { ScimConfigurationRecord } from "../records.js";
import { normalizePatchRequest } from "../scim/idp-normalization.js";
import { applyPatch } from "../scim/patch-engine.js";
import type { ResourceLink } from "../scim/render-resource.js";
import { readReplacementInput, readResourceInput } from "../scim/resource-input.js";
import { USER_RESOURCE } from "../scim/schema.js";
import { ScimError } from "../scim/scim-error.js";
import type { ScimAttributes } from "../scim/scim-record.js";
import { caseKey, identityFacts, isActive } from "./identity-facts.js";
import type { ListQuery, ListResult } from "./list-query.js";
import type { MemberAccounts } from "./member-accounts.js";
import type { MembershipStore, ScimGroupStore, ScimUserStore } from "./ports.js";
import type { ScimUserRecord } from "./records.js";
import { requireVersion, ResourceWriteQueue, withVersionRetry, type VersionCondition } from "./versioned-write.js";

/** A User as the routes render it: the record, and its groups when they were asked for. */
export interface UserView {
  record: ScimUserRecord;
  groups?: ResourceLink[];
}

export interface ScimUsersDeps {
  users: ScimUserStore;
  groups: ScimGroupStore;
  memberships: MembershipStore;
  accounts: MemberAccounts;
  clock: Clock;
  audit: AuditTrail;
}

/** A new User of `configuration` as stored: version 1, its keys derived from the attributes. */
export function newUserRecord(configuration: Pick<ScimConfigurationRecord, "id" | "organizationId">, attributes: ScimAttributes, memberId: string, now: Date): ScimUserRecord {
  return {
    id: newId(now),
    version: 1,
    created: now,
    lastModified: now,
    attributes,
    scimConfigurationId: configuration.id,
    organizationId: configuration.organizationId,
    memberId,
    userNameKey: caseKey(attributes["userName"]),
    active: isActive(attributes),
  };
}

const notFound = (id: string) => new ScimError(404, undefined, `User ${id} not found.`);

/**
 * The /Users use cases for one SCIM configuration (the token's). Passwords are accepted and
 * dropped: this service never signs anyone in with them, so keeping even a hash would only be a
 * liability (scim.md allows "not at all"); they are never returned.
 *
 * Every write is recorded in the audit trail after it succeeded (audit-trail.ts says why in that
 * order): the subject is the member's user id (as ListMembers shows it), the SCIM User's id is
 * kept with the entry, and an update names the attributes that changed, never their values.
 */
export class ScimUsers {
  /** Writes to one resource queue up in this process (see ResourceWriteQueue). */
  private readonly queue = new ResourceWriteQueue();

  constructor(private readonly deps: ScimUsersDeps) {}

  async create(configuration: ScimConfigurationRecord, body: unknown, context: AuditContext): Promise<UserView> {
    const { attributes } = readResourceInput(USER_RESOURCE, body);
    const userNameKey = caseKey(attributes["userName"]);
    const facts = identityFacts(attributes);
    // No lookup first: the store's unique key refuses a duplicate at the insert, and the member
    // record is written only after the User, so a refused duplicate leaves nothing behind.
    const choice = await this.deps.accounts.memberFor(configuration, userNameKey, facts);
    const record = newUserRecord(configuration, attributes, choice.memberId, this.deps.clock.now());
    await this.deps.users.create(record).catch(rethrowUniqueness);
    await this.deps.accounts.refresh(configuration, record.memberId, {
      latest: facts,
      provisioned: { scimConfigurationId: configuration.id, userNameKey },
      ...(choice.isNew ? { firstIdentity: record } : {}),
    });
    await this.record(context, AUDIT_ACTION.userCreate, record);
    return { record, groups: [] };
  }

  async get(configuration: ScimConfigurationRecord, id: string, withGroups: boolean): Promise<UserView> {
    const record = await this.deps.users.get(configuration.id, id);
    if (!record) throw notFound(id);
    return this.view(configuration, record, withGroups);
  }

  async list(configuration: ScimConfigurationRecord, query: ListQuery, withGroups: boolean): Promise<ListResult<UserView>> {
    const page = await this.deps.users.list(configuration.id, query);
    const items = await Promise.all(page.items.map((r) => this.view(configuration, r, withGroups)));
    return { ...page, items };
  }

  /** PUT: every writable attribute replaced (an omitted `active` keeps its value). */
  async replace(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withGroups: boolean, context: AuditContext): Promise<UserView> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.replaceNow(configuration, id, body, ifMatch, withGroups, context));
  }

  private async replaceNow(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withGroups: boolean, context: AuditContext): Promise<UserView> {
    let before: ScimUserRecord | undefined;
    const record = await withVersionRetry(ifMatch, async () => {
      const current = (before = await this.current(configuration, id, ifMatch));
      const { attributes } = readReplacementInput(USER_RESOURCE, body, current.attributes);
      return this.write(configuration, current, attributes);
    });
    // A PUT always writes (a new version), so it is recorded even when no attribute changed.
    await this.record(context, AUDIT_ACTION.userReplace, record, changedScimAttributes(before!.attributes, record.attributes));
    return this.view(configuration, record, withGroups);
  }

  /** PATCH (RFC 7644 §3.5.2, with the identity providers' documented forms). */
  async patch(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withGroups: boolean, context: AuditContext): Promise<UserView> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.patchNow(configuration, id, body, ifMatch, withGroups, context));
  }

  private async patchNow(configuration: ScimConfigurationRecord, id: string, body: unknown, ifMatch: VersionCondition | undefined, withGroups: boolean, context: AuditContext): Promise<UserView> {
    let before: ScimUserRecord | undefined;
    const record = await withVersionRetry(ifMatch, async () => {
      const current = (before = await this.current(configuration, id, ifMatch));
      const result = applyPatch(USER_RESOURCE, current, normalizePatchRequest(USER_RESOURCE, body, { resourceId: id }));
      // Nothing changed (a password alone, or values equal to the stored ones): no new version.
      if (sameAttributes(result.attributes, current.attributes)) return current;
      return this.write(configuration, current, result.attributes);
    });
    // Unchanged (the same version came back): nothing was written, nothing is recorded.
    if (record.version !== before!.version) await this.record(context, AUDIT_ACTION.userPatch, record, changedScimAttributes(before!.attributes, record.attributes));
    return this.view(configuration, record, withGroups);
  }

  /** DELETE: the identity and its memberships go; the member is LEFT when it was its last identity. */
  async delete(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined, context: AuditContext): Promise<void> {
    return this.queue.run(`${configuration.id}/${id}`, () => this.deleteNow(configuration, id, ifMatch, context));
  }

  private async deleteNow(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined, context: AuditContext): Promise<void> {
    const deleted = await withVersionRetry(ifMatch, async () => {
      const current = await this.current(configuration, id, ifMatch);
      return this.deps.users.delete(configuration.id, id, current.version);
    });
    if (!deleted) throw notFound(id);
    // After the User is gone: a crash here leaves memberships naming a User that no longer
    // exists, which every read skips (members are looked up), and a retried DELETE answers 404.
    await this.deps.memberships.removeUser(configuration.id, id);
    await this.deps.accounts.refresh(configuration, deleted.memberId, { deleted: { scimConfigurationId: configuration.id, userNameKey: deleted.userNameKey } });
    await this.record(context, AUDIT_ACTION.userDelete, deleted);
  }

  private record(context: AuditContext, action: AuditAction, user: ScimUserRecord, changed: string[] = []): Promise<void> {
    return this.deps.audit.record(context, {
      organizationId: user.organizationId,
      action,
      subjectType: "user",
      subjectId: user.memberId,
      changedFields: changed,
      scimConfigurationId: user.scimConfigurationId,
      scimResourceId: user.id,
    });
  }

  private async current(configuration: ScimConfigurationRecord, id: string, ifMatch: VersionCondition | undefined): Promise<ScimUserRecord> {
    const current = await this.deps.users.get(configuration.id, id);
    if (!current) throw notFound(id);
    requireVersion(ifMatch, current.version);
    return current;
  }

  private async write(configuration: ScimConfigurationRecord, current: ScimUserRecord, attributes: ScimAttributes): Promise<ScimUserRecord | "stale"> {
    const userNameKey = caseKey(attributes["userName"]);
    if (userNameKey !== current.userNameKey) {
      const other = await this.findByUserName(configuration, userNameKey);
      if (other && other.id !== current.id) throw uniqueness();
    }
    const next = { attributes, userNameKey, active: isActive(attributes), lastModified: this.deps.clock.now() };
    const written = await this.deps.users.replace(configuration.id, current.id, current.version, next).catch(rethrowUniqueness);
    if (written === undefined) throw notFound(current.id);
    if (written === "stale") return written;
    await this.deps.accounts.refresh(configuration, written.memberId, { latest: identityFacts(attributes) });
    return written;
  }

  private async findByUserName(configuration: ScimConfigurationRecord, userNameKey: string): Promise<ScimUserRecord | undefined> {
    return this.deps.users.findByUserName(configuration.id, userNameKey);
  }

  private async view(configuration: ScimConfigurationRecord, record: ScimUserRecord, withGroups: boolean): Promise<UserView> {
    if (!withGroups) return { record };
    const groupIds = await this.deps.memberships.groupsOf(configuration.id, record.id);
    if (groupIds.length === 0) return { record, groups: [] };
    const groups = await this.deps.groups.getMany(configuration.id, groupIds);
    return { record, groups: groups.map((g) => ({ value: g.id, display: String(g.attributes["displayName"] ?? "") })) };
  }
}

const uniqueness = () => new ScimError(409, "uniqueness", "A User with this userName already exists in this SCIM configuration (userName is unique, case-insensitively).");

function rethrowUniqueness(err: unknown): never {
  if (err instanceof AlreadyExistsError) throw new ScimError(409, "uniqueness", err.message);
  throw err;
}

function sameAttributes(a: ScimAttributes, b: ScimAttributes): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
