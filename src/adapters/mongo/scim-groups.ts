import type { Collection, Db } from "mongodb";
import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { GroupReplacement, OrganizationGroupFilter, ScimGroupStore, Stale } from "../../domain/provisioning/ports.js";
import type { ScimGroupRecord } from "../../domain/provisioning/records.js";
import { GROUP_RESOURCE } from "../../domain/scim/schema.js";
import { INDEX } from "./indexes.js";
import { guard } from "./errors.js";
import { escapeRegex } from "./scim-filter-query.js";
import { formUpdate, fromResourceDoc, type ResourceDoc } from "./scim-documents.js";
import { MongoScimResources } from "./scim-resources.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

/**
 * SCIM Groups in the `scim_groups` collection: unique displayNameKey per configuration. Members
 * are not here (see memberships.ts). lastModified only moves forward (`$max`): a membership
 * change bumps the group without a version check, so writers' clocks may disagree.
 */
export class MongoScimGroupStore implements ScimGroupStore {
  private readonly resources: MongoScimResources<ScimGroupRecord>;

  private readonly first: FindFirst<ResourceDoc>;

  constructor(private readonly c: Collection<ResourceDoc>, db: Db) {
    this.first = findFirstIn(db, c);
    this.resources = new MongoScimResources(c, db, {
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

  async getInOrganization(organizationId: string, id: string): Promise<ScimGroupRecord | undefined> {
    // By _id alone (the _id index), the organization checked on the one document.
    const doc = await guard(() => this.first({ _id: id }));
    const record = doc ? fromResourceDoc<ScimGroupRecord>(doc) : undefined;
    return record && record.organizationId === organizationId ? record : undefined;
  }

  async findByNameInOrganization(organizationId: string, displayNameKey: string): Promise<ScimGroupRecord[]> {
    const docs = await guard(() => this.c.find({ organizationId, displayNameKey }).sort({ _id: 1 }).toArray());
    return docs.map((d) => fromResourceDoc<ScimGroupRecord>(d));
  }

  /** Keyset by _id on {organizationId, _id}; ids narrow it, search is checked on what it walks. */
  async listInOrganization(organizationId: string, filter: OrganizationGroupFilter, page: PageRequest): Promise<Page<ScimGroupRecord>> {
    const id: Record<string, unknown> = {};
    if (filter.ids) id["$in"] = [...new Set(filter.ids)];
    if (page.afterId !== undefined) id["$gt"] = page.afterId;
    const search = filter.search?.toLowerCase();
    const query: Record<string, unknown> = { organizationId, ...(Object.keys(id).length > 0 ? { _id: id } : {}) };
    if (search) query["$or"] = [{ displayNameKey: { $regex: escapeRegex(search) } }, { _id: { $regex: escapeRegex(search) } }];
    const docs = await guard(() => this.c.find(query).sort({ organizationId: 1, _id: 1 }).limit(page.limit + 1).toArray());
    return toPage(docs.map((d) => fromResourceDoc<ScimGroupRecord>(d)), page.limit);
  }
}
