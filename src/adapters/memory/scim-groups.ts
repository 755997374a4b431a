import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { GroupReplacement, ScimGroupStore, Stale } from "../../domain/provisioning/ports.js";
import type { ScimGroupRecord } from "../../domain/provisioning/records.js";
import { GROUP_RESOURCE } from "../../domain/scim/schema.js";
import { copy, later } from "./copy.js";
import { formValues, MemoryScimResources } from "./scim-resources.js";

/** SCIM Groups in memory: unique displayName per configuration, indexed as MongoDB's are. */
export class MemoryScimGroupStore implements ScimGroupStore {
  private readonly resources = new MemoryScimResources<ScimGroupRecord>({
    resource: GROUP_RESOURCE,
    uniqueKey: (r) => r.displayNameKey,
    conflict: CONFLICT.scimGroupName,
    indexed: {
      displayName: (f) => formValues(f, ["displayName"]),
      externalId: (f) => formValues(f, ["externalId"]),
    },
  });

  async create(record: ScimGroupRecord): Promise<void> {
    this.resources.create(record);
  }

  async get(scimConfigurationId: string, id: string): Promise<ScimGroupRecord | undefined> {
    return this.resources.get(scimConfigurationId, id);
  }

  async getMany(scimConfigurationId: string, ids: readonly string[]): Promise<ScimGroupRecord[]> {
    return this.resources.getMany(scimConfigurationId, ids);
  }

  async list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<ScimGroupRecord>> {
    return this.resources.list(scimConfigurationId, query);
  }

  async replace(scimConfigurationId: string, id: string, expectedVersion: number | undefined, next: GroupReplacement): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.replace(scimConfigurationId, id, expectedVersion, (r) => ({ ...r, ...copy(next), lastModified: later(r.lastModified, next.lastModified) }));
  }

  async touch(scimConfigurationId: string, id: string, expectedVersion: number | undefined, lastModified: Date): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.replace(scimConfigurationId, id, expectedVersion, (r) => ({ ...r, lastModified: later(r.lastModified, lastModified) }));
  }

  async delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.delete(scimConfigurationId, id, expectedVersion);
  }
}
