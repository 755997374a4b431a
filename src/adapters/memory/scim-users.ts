import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { ScimUserStore, Stale, UserReplacement } from "../../domain/provisioning/ports.js";
import type { ScimUserRecord } from "../../domain/provisioning/records.js";
import { USER_RESOURCE } from "../../domain/scim/schema.js";
import { copy } from "./copy.js";
import { formValues, MemoryScimResources } from "./scim-resources.js";

/** SCIM Users in memory: unique userName per configuration, indexed as MongoDB's are. */
export class MemoryScimUserStore implements ScimUserStore {
  private readonly resources = new MemoryScimResources<ScimUserRecord>({
    resource: USER_RESOURCE,
    uniqueKey: (r) => r.userNameKey,
    conflict: CONFLICT.scimUserName,
    indexed: {
      userName: (f) => formValues(f, ["userName"]),
      externalId: (f) => formValues(f, ["externalId"]),
      "emails.value": (f) => formValues(f, ["emails", "value"]),
    },
  });
  /** Identities per member, across configurations. */
  private readonly idsByMember = new Map<string, Set<string>>();

  async create(record: ScimUserRecord): Promise<void> {
    this.resources.create(record);
    this.link(record);
  }

  async get(scimConfigurationId: string, id: string): Promise<ScimUserRecord | undefined> {
    return this.resources.get(scimConfigurationId, id);
  }

  async findByUserName(scimConfigurationId: string, userNameKey: string): Promise<ScimUserRecord | undefined> {
    return this.resources.findUnique(scimConfigurationId, userNameKey);
  }

  async getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimUserRecord[]> {
    return this.resources.getMany(scimConfigurationId, ids);
  }

  async list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimUserRecord>> {
    return this.resources.list(scimConfigurationId, query);
  }

  async replace(scimConfigurationId: string, id: string, expectedVersion: number, next: UserReplacement): Promise<ScimUserRecord | Stale | undefined> {
    return this.resources.replace(scimConfigurationId, id, expectedVersion, (r) => ({ ...r, ...copy(next) }));
  }

  async delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimUserRecord | Stale | undefined> {
    const deleted = this.resources.delete(scimConfigurationId, id, expectedVersion);
    if (deleted && deleted !== "stale") this.idsByMember.get(deleted.memberId)?.delete(deleted.id);
    return deleted;
  }

  async listByMember(memberId: string): Promise<ScimUserRecord[]> {
    return this.resources.all(this.idsByMember.get(memberId) ?? []);
  }

  private link(record: ScimUserRecord): void {
    let ids = this.idsByMember.get(record.memberId);
    if (!ids) this.idsByMember.set(record.memberId, (ids = new Set()));
    ids.add(record.id);
  }
}
