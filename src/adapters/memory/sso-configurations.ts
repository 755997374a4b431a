import { isDeepStrictEqual } from "node:util";
import { KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { SsoConfigurationPatch, SsoConfigurationStore } from "../../domain/ports.js";
import type { SsoConfigurationRecord } from "../../domain/records.js";
import { copy, later } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

/** SSO configurations in memory; a record being deleted is hidden from reads, as in MongoDB. */
export class MemorySsoConfigurationStore implements SsoConfigurationStore {
  private readonly byId = new Map<string, SsoConfigurationRecord>();
  private readonly deleting = new Set<string>();
  private readonly idsByOrganization = new OrderedKeysByTenant();

  async create(record: SsoConfigurationRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new KeyCollisionError("sso_configuration id");
    this.byId.set(record.id, copy(record));
    this.idsByOrganization.insert(record.organizationId, record.id);
  }

  async get(organizationId: string, id: string): Promise<SsoConfigurationRecord | undefined> {
    const r = this.visible(organizationId, id);
    return r && copy(r);
  }

  async list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>> {
    // Hidden (being deleted) records are rare and short-lived: skip them while filling the page.
    const rows: SsoConfigurationRecord[] = [];
    let after = page.afterId;
    while (rows.length <= page.limit) {
      const ids = this.idsByOrganization.after(organizationId, after, page.limit + 1 - rows.length);
      if (ids.length === 0) break;
      for (const id of ids) if (!this.deleting.has(id)) rows.push(copy(this.byId.get(id)!));
      after = ids[ids.length - 1];
    }
    return toPage(rows, page.limit);
  }

  async update(organizationId: string, id: string, patch: SsoConfigurationPatch, now: Date): Promise<SsoConfigurationRecord | undefined> {
    const r = this.visible(organizationId, id);
    if (!r) return undefined;
    let changed = false;
    for (const [k, v] of Object.entries(patch)) {
      const fields = r as unknown as Record<string, unknown>;
      if (v === undefined || isDeepStrictEqual(fields[k], v)) continue;
      fields[k] = copy(v);
      changed = true;
    }
    if (changed) r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async beginDelete(organizationId: string, id: string): Promise<boolean> {
    if (!this.visible(organizationId, id)) return false;
    this.deleting.add(id);
    return true;
  }

  async cancelDelete(_organizationId: string, id: string): Promise<void> {
    this.deleting.delete(id);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const r = this.byId.get(id);
    if (!r || r.organizationId !== organizationId) return false;
    this.deleting.delete(id);
    this.idsByOrganization.delete(organizationId, id);
    return this.byId.delete(id);
  }

  private visible(organizationId: string, id: string): SsoConfigurationRecord | undefined {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId && !this.deleting.has(id) ? r : undefined;
  }
}
