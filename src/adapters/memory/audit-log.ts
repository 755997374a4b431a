import type { AuditEntryRecord } from "../../domain/audit/audit-entry.js";
import type { AuditFilter, AuditPageRequest, AuditStore } from "../../domain/audit/ports.js";
import { idBoundOf } from "../../domain/audit/time-bounds.js";
import { KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page } from "../../domain/pagination.js";
import { copy } from "./copy.js";
import { walkKeys } from "./keyset-walk.js";
import { OrderedKeys, OrderedKeysByTenant } from "./ordered-keys.js";

/**
 * The audit trail in memory, with the indexes the MongoDB collection has: ids in order per
 * organization, per (organization, actor), per (organization, subject) and per (organization,
 * subject type), and all ids in order for retention. A page walks the index of its most
 * selective filter (subject, else actor, else type), so a page costs O(log n + page) at any size;
 * the other filters of the same request are checked on the keys that index yields.
 */
export class MemoryAuditStore implements AuditStore {
  private readonly byId = new Map<string, AuditEntryRecord>();
  private readonly index = new OrderedKeysByTenant();
  private readonly all = new OrderedKeys();

  async append(entry: AuditEntryRecord): Promise<void> {
    if (this.byId.has(entry.id)) throw new KeyCollisionError("audit entry id");
    this.byId.set(entry.id, copy(entry));
    for (const tenant of tenantsOf(entry)) this.index.insert(tenant, entry.id);
    this.all.insert(entry.id);
  }

  async get(organizationId: string, id: string): Promise<AuditEntryRecord | undefined> {
    const e = this.byId.get(id);
    return e && e.organizationId === organizationId ? copy(e) : undefined;
  }

  async getMany(organizationId: string, ids: readonly string[]): Promise<AuditEntryRecord[]> {
    return [...new Set(ids)].flatMap((id) => {
      const e = this.byId.get(id);
      return e && e.organizationId === organizationId ? [copy(e)] : [];
    });
  }

  async list(organizationId: string, filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditEntryRecord>> {
    const tenants = filter.subjectIds?.length
      ? filter.subjectIds.map((s) => `${organizationId}|s:${s}`)
      : filter.actorIds?.length
        ? filter.actorIds.map((a) => `${organizationId}|a:${a}`)
        : filter.subjectTypes?.length
          ? filter.subjectTypes.map((t) => `${organizationId}|t:${t}`)
          : [organizationId];
    const asc = page.order === "asc";
    // The time range is an id range (time-bounds.ts): start at its near end, stop at its far end.
    const near = asc ? filter.fromId : filter.toId;
    let start = page.afterId;
    if (near !== undefined && (start === undefined || (asc ? near > start : near < start))) start = near;
    const far = asc ? filter.toId : filter.fromId;
    const ids = walkKeys(this.index.sources(tenants), {
      order: page.order,
      start,
      limit: page.limit + 1,
      stop: far === undefined ? undefined : (id) => (asc ? id >= far : id < far),
      accept: (id) => matches(this.byId.get(id)!, filter),
    });
    return toPage(ids.map((id) => copy(this.byId.get(id)!)), page.limit);
  }

  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    // Oldest first, in bounded batches, so a large expiry does not hold the event loop.
    const bound = idBoundOf(cutoff);
    let deleted = 0;
    for (;;) {
      const batch = this.all.before(bound, 1000);
      if (batch.length === 0) return deleted;
      for (const id of batch) {
        const e = this.byId.get(id)!;
        this.byId.delete(id);
        this.all.delete(id);
        for (const tenant of tenantsOf(e)) this.index.delete(tenant, id);
        deleted++;
      }
    }
  }
}

function tenantsOf(e: AuditEntryRecord): string[] {
  const org = e.organizationId;
  return [org, `${org}|a:${e.actorId}`, `${org}|s:${e.subjectId}`, `${org}|t:${e.subjectType}`];
}

function matches(e: AuditEntryRecord, f: AuditFilter): boolean {
  if (f.actorIds?.length && !f.actorIds.includes(e.actorId)) return false;
  if (f.subjectIds?.length && !f.subjectIds.includes(e.subjectId)) return false;
  if (f.subjectTypes?.length && !f.subjectTypes.includes(e.subjectType)) return false;
  return true;
}
