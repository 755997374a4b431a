import type { Collection } from "mongodb";
import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { GroupReplacement, ScimGroupStore, Stale } from "../../domain/provisioning/ports.js";
import type { ScimGroupRecord } from "../../domain/provisioning/records.js";
import { GROUP_RESOURCE } from "../../domain/scim/schema.js";
import { INDEX } from "./indexes.js";
import { formUpdate, type ResourceDoc } from "./scim-documents.js";
import { MongoScimResources } from "./scim-resources.js";

/**
 * SCIM Groups in the `scim_groups` collection: unique displayNameKey per configuration. Members
 * are not here (see memberships.ts). lastModified only moves forward (`$max`): a membership
 * change bumps the group without a version check, so writers' clocks may disagree.
 */
export class MongoScimGroupStore implements ScimGroupStore {
  private readonly resources: MongoScimResources<ScimGroupRecord>;

  constructor(collection: Collection<ResourceDoc>) {
    this.resources = new MongoScimResources(collection, {
      resource: GROUP_RESOURCE,
      uniqueField: "displayNameKey",
      uniqueIndex: INDEX.scimGroupName,
      conflict: CONFLICT.scimGroupName,
    });
  }

  create(record: ScimGroupRecord): Promise<void> {
    return this.resources.create(record);
  }

  get(scimConfigurationId: string, id: string): Promise<ScimGroupRecord | undefined> {
    return this.resources.get(scimConfigurationId, id);
  }

  getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimGroupRecord[]> {
    return this.resources.getMany(scimConfigurationId, ids);
  }

  list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimGroupRecord>> {
    return this.resources.list(scimConfigurationId, query);
  }

  replace(scimConfigurationId: string, id: string, expectedVersion: number | undefined, next: GroupReplacement): Promise<ScimGroupRecord | Stale | undefined> {
    const update = formUpdate(GROUP_RESOURCE, { id, ...next }, "max");
    Object.assign(update.$set, { attributes: next.attributes, displayNameKey: next.displayNameKey });
    return this.resources.update(scimConfigurationId, id, expectedVersion, update, next.displayNameKey);
  }

  touch(scimConfigurationId: string, id: string, expectedVersion: number | undefined, lastModified: Date): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.update(scimConfigurationId, id, expectedVersion, { $max: { lastModified, "s.meta.lastModified": lastModified } });
  }

  delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.delete(scimConfigurationId, id, expectedVersion);
  }
}
