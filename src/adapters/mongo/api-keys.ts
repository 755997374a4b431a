import type { Collection, Db } from "mongodb";
import type { ApiKeyStore } from "../../domain/ports.js";
import type { ApiKeyRecord } from "../../domain/records.js";
import { fromDoc, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

/** Management API keys in the `api_keys` collection. */
export class MongoApiKeyStore implements ApiKeyStore {
  private readonly first: FindFirst<Doc<ApiKeyRecord>>;

  constructor(private readonly c: Collection<Doc<ApiKeyRecord>>, db: Db) {
    this.first = findFirstIn(db, c);
  }

  async create(record: ApiKeyRecord): Promise<void> {
    const doc = toDoc(record);
    if (doc.revokedAt === undefined) delete doc.revokedAt;
    await guard(() => this.c.insertOne(doc));
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const doc = await guard(() => this.first({ keyHash }));
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const doc = await guard(() => this.first({ _id: id }));
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }

  async list(organizationId?: string): Promise<ApiKeyRecord[]> {
    // _id order is creation order (UUIDv7); with an organization, {organizationId, _id} serves it.
    const filter = organizationId === undefined ? {} : { organizationId };
    const sort: Record<string, 1> = organizationId === undefined ? { _id: 1 } : { organizationId: 1, _id: 1 };
    const docs = await guard(() => this.c.find(filter).sort(sort).toArray());
    return docs.map((d) => fromDoc<ApiKeyRecord>(d));
  }

  async revoke(id: string, now: Date): Promise<ApiKeyRecord | undefined> {
    // $min sets a missing revokedAt and keeps an earlier one: one write, idempotent.
    const doc = await guard(() => this.c.findOneAndUpdate({ _id: id }, { $min: { revokedAt: now } }, { returnDocument: "after" }));
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }

  async count(): Promise<number> {
    return guard(() => this.c.estimatedDocumentCount());
  }
}
