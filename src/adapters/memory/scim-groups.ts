import { CONFLICT } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { GroupReplacement, OrganizationGroupFilter, ScimGroupStore, Stale } from "../../domain/provisioning/ports.js";
import type { ScimGroupRecord } from "../../domain/provisioning/records.js";
import { GROUP_RESOURCE } from "../../domain/scim/schema.js";
import { copy, later } from "./copy.js";
import { walkKeys } from "./keyset-walk.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";
import { formValues, MemoryScimResources } from "./scim-resources.js";

/**
 * SCIM Groups in memory: unique displayName per configuration, indexed as MongoDB's are, plus
 * the management API's view across an organization's configurations: ids in order per
 * organization, and displayName keys per organization.
 */
export class MemoryScimGroupStore implements ScimGroupStore {
  /** Group id → its configuration, for reads by organization. */
  private readonly configurationOf = new Map<string, string>();
  private readonly idsByOrganization = new OrderedKeysByTenant();
  private readonly idsByName = new Map<string, Set<string>>();

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
    this.configurationOf.set(record.id, record.scimConfigurationId);
    this.idsByOrganization.insert(record.organizationId, record.id);
    this.nameIndex(record, true);
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
    const before = this.resources.get(scimConfigurationId, id);
    const written = this.resources.replace(scimConfigurationId, id, expectedVersion, (r) => ({ ...r, ...copy(next), lastModified: later(r.lastModified, next.lastModified) }));
    if (before && written && written !== "stale") {
      this.nameIndex(before, false);
      this.nameIndex(written, true);
    }
    return written;
  }

  async touch(scimConfigurationId: string, id: string, expectedVersion: number | undefined, lastModified: Date): Promise<ScimGroupRecord | Stale | undefined> {
    return this.resources.replace(scimConfigurationId, id, expectedVersion, (r) => ({ ...r, lastModified: later(r.lastModified, lastModified) }));
  }

  async delete(scimConfigurationId: string, id: string, expectedVersion?: number): Promise<ScimGroupRecord | Stale | undefined> {
    const deleted = this.resources.delete(scimConfigurationId, id, expectedVersion);
    if (deleted && deleted !== "stale") {
      this.configurationOf.delete(id);
      this.idsByOrganization.delete(deleted.organizationId, id);
      this.nameIndex(deleted, false);
    }
    return deleted;
  }

  async getInOrganization(organizationId: string, id: string): Promise<ScimGroupRecord | undefined> {
    const configurationId = this.configurationOf.get(id);
    const record = configurationId === undefined ? undefined : this.resources.get(configurationId, id);
    return record && record.organizationId === organizationId ? record : undefined;
  }

  async findByNameInOrganization(organizationId: string, displayNameKey: string): Promise<ScimGroupRecord[]> {
    const ids = [...(this.idsByName.get(`${organizationId}/${displayNameKey}`) ?? [])].sort();
    return (await Promise.all(ids.map((id) => this.getInOrganization(organizationId, id)))).flatMap((g) => g ?? []);
  }

  async listInOrganization(organizationId: string, filter: OrganizationGroupFilter, page: PageRequest): Promise<Page<ScimGroupRecord>> {
    const load = (id: string) => this.resources.get(this.configurationOf.get(id)!, id)!;
    if (filter.ids) {
      const ids = [...new Set(filter.ids)].filter((id) => id > (page.afterId ?? "")).sort();
      const groups = ids.flatMap((id) => (this.configurationOf.has(id) ? [load(id)] : [])).filter((g) => g.organizationId === organizationId && matchesSearch(g, filter.search));
      return toPage(groups.slice(0, page.limit + 1), page.limit);
    }
    const search = filter.search;
    const ids = walkKeys(this.idsByOrganization.sources([organizationId]), {
      order: "asc",
      start: page.afterId,
      limit: page.limit + 1,
      ...(search ? { accept: (id: string) => matchesSearch(load(id), search) } : {}),
    });
    return toPage(ids.map(load), page.limit);
  }

  private nameIndex(record: ScimGroupRecord, add: boolean): void {
    const key = `${record.organizationId}/${record.displayNameKey}`;
    let set = this.idsByName.get(key);
    if (add) {
      if (!set) this.idsByName.set(key, (set = new Set()));
      set.add(record.id);
    } else {
      set?.delete(record.id);
      if (set?.size === 0) this.idsByName.delete(key);
    }
  }
}

function matchesSearch(group: ScimGroupRecord, search: string | undefined): boolean {
  if (!search) return true;
  const s = search.toLowerCase();
  return group.displayNameKey.includes(s) || group.id.includes(s);
}
