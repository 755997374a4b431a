import type { Collection, Db } from "mongodb";
import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { ScimUserStore, Stale, UserReplacement } from "../../domain/provisioning/ports.js";
import type { ScimUserRecord } from "../../domain/provisioning/records.js";
import { USER_RESOURCE } from "../../domain/scim/schema.js";
import { INDEX } from "./indexes.js";
import { formUpdate, type ResourceDoc } from "./scim-documents.js";
import { MongoScimResources } from "./scim-resources.js";

/** SCIM Users in the `scim_users` collection: unique userNameKey per configuration. */
export class MongoScimUserStore implements ScimUserStore {
  private readonly resources: MongoScimResources<ScimUserRecord>;

  constructor(collection: Collection<ResourceDoc>, db: Db) {
    this.resources = new MongoScimResources(collection, db, {
      resource: USER_RESOURCE,
      uniqueField: "userNameKey",
      uniqueIndex: INDEX.scimUserName,
      conflict: CONFLICT.scimUserName,
    });
  }

  create(record: ScimUserRecord): Promise<void> {
    return this.resources.create(record);
  }

  get(scimConfigurationId: string, id: string): Promise<ScimUserRecord | undefined> {
    return this.resources.get(scimConfigurationId, id);
  }

  findByUserName(scimConfigurationId: string, userNameKey: string): Promise<ScimUserRecord | undefined> {
    return this.resources.findUnique(scimConfigurationId, userNameKey);
  }

  getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimUserRecord[]> {
    return this.resources.getMany(scimConfigurationId, ids);
  }

  list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimUserRecord>> {
    return this.resources.list(scimConfigurationId, query);
  }

  replace(scimConfigurationId: string, id: string, expectedVersion: number, next: UserReplacement): Promise<ScimUserRecord | Stale | undefined> {
    const update = formUpdate(USER_RESOURCE, { id, ...next }, "set");
    Object.assign(update.$set, { attributes: next.attributes, userNameKey: next.userNameKey, active: next.active });
    return this.resources.update(scimConfigurationId, id, expectedVersion, update, next.userNameKey);
  }

  delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimUserRecord | Stale | undefined> {
    return this.resources.delete(scimConfigurationId, id, expectedVersion);
  }

  listByMember(memberId: string): Promise<ScimUserRecord[]> {
    return this.resources.find({ memberId });
  }
}
