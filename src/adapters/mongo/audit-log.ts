import { MongoServerError, type Collection, type Db, type Filter } from "mongodb";
import type { AuditEntryRecord } from "../../domain/audit/audit-entry.js";
import type { AuditFilter, AuditPageRequest, AuditStore } from "../../domain/audit/ports.js";
import { idBoundOf } from "../../domain/audit/time-bounds.js";
import { toPage, type Page } from "../../domain/pagination.js";
import { fromDoc, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

export type AuditDoc = Doc<AuditEntryRecord>;

/** Name of the TTL index that expires entries on MongoDB. */
export const AUDIT_TTL_INDEX = "created_at_ttl";

/**
 * The audit trail in the `audit_log` collection. Every query is served by an index of
 * INDEXES.audit_log: lists by {organizationId, [actorId | subjectId | subjectType], _id} (time
 * ranges are _id ranges, since ids encode the creation time), lookups and retention by _id.
 */
export class MongoAuditStore implements AuditStore {
  private readonly first: FindFirst<AuditDoc>;

  constructor(private readonly c: Collection<AuditDoc>, db: Db) {
    this.first = findFirstIn(db, c);
  }

  async append(entry: AuditEntryRecord): Promise<void> {
    await guard(() => this.c.insertOne(toDoc(entry)));
  }

  async get(organizationId: string, id: string): Promise<AuditEntryRecord | undefined> {
    const doc = await guard(() => this.first({ _id: id, organizationId }));
    return doc ? fromDoc<AuditEntryRecord>(doc) : undefined;
  }

  async getMany(organizationId: string, ids: readonly string[]): Promise<AuditEntryRecord[]> {
    if (ids.length === 0) return [];
    const docs = await guard(() => this.c.find({ _id: { $in: [...new Set(ids)] }, organizationId }).toArray());
    return docs.map((d) => fromDoc<AuditEntryRecord>(d));
  }

  async list(organizationId: string, filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditEntryRecord>> {
    const asc = page.order === "asc";
    // The time range is an _id range; the cursor moves its near end (both bounds exclusive there).
    const range: Record<string, string> = {};
    if (asc) {
      if (page.afterId !== undefined && (filter.fromId === undefined || page.afterId >= filter.fromId)) range.$gt = page.afterId;
      else if (filter.fromId !== undefined) range.$gte = filter.fromId;
      if (filter.toId !== undefined) range.$lt = filter.toId;
    } else {
      const upper = [page.afterId, filter.toId].filter((v): v is string => v !== undefined).sort()[0];
      if (upper !== undefined) range.$lt = upper;
      if (filter.fromId !== undefined) range.$gte = filter.fromId;
    }
    const query: Filter<AuditDoc> = {
      organizationId,
      ...inOrEqual("actorId", filter.actorIds),
      ...inOrEqual("subjectId", filter.subjectIds),
      ...inOrEqual("subjectType", filter.subjectTypes),
      ...(Object.keys(range).length > 0 ? { _id: range } : {}),
    } as Filter<AuditDoc>;
    const docs = await guard(() =>
      this.c
        .find(query)
        .sort({ _id: asc ? 1 : -1 })
        .limit(page.limit + 1)
        .toArray(),
    );
    return toPage(docs.map((d) => fromDoc<AuditEntryRecord>(d)), page.limit);
  }

  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    const res = await guard(() => this.c.deleteMany({ _id: { $lt: idBoundOf(cutoff) } }));
    return res.deletedCount;
  }
}

function inOrEqual(field: string, values: readonly string[] | undefined): Record<string, unknown> {
  if (!values || values.length === 0) return {};
  return values.length === 1 ? { [field]: values[0] } : { [field]: { $in: [...new Set(values)] } };
}

/**
 * Makes MongoDB expire entries after `retentionDays` through a TTL index on `createdAt`,
 * replacing one made for another retention. Returns false when the server has no TTL indexes
 * (FerretDB v1.24 answers NotImplemented): retention then rests on AuditRetention's sweeps alone.
 */
export async function ensureAuditTtl(c: Collection<AuditDoc>, retentionDays: number): Promise<boolean> {
  const expireAfterSeconds = retentionDays * 86_400;
  const existing = (await c.listIndexes().toArray().catch(() => [])).find((i) => i.name === AUDIT_TTL_INDEX);
  if (existing && existing.expireAfterSeconds === expireAfterSeconds) return true;
  if (existing) await c.dropIndex(AUDIT_TTL_INDEX);
  try {
    await c.createIndex({ createdAt: 1 }, { name: AUDIT_TTL_INDEX, expireAfterSeconds });
    return true;
  } catch (err) {
    if (err instanceof MongoServerError && (err.code === 238 || err.codeName === "NotImplemented")) return false;
    throw err;
  }
}
