import { MongoClient, MongoServerError, type Collection, type Db, type Filter, type IndexDescription } from "mongodb";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { ApiKeyRecord, ScimConfigurationRecord, SsoConfigurationRecord } from "../records.js";
import type {
  ApiKeyStore,
  ScimConfigurationPatch,
  ScimConfigurationStore,
  SsoConfigurationPatch,
  SsoConfigurationStore,
  Stores,
  TokenRotation,
} from "../stores.js";
import { guard, INDEX } from "./mongo-errors.js";

export interface MongoStoresOptions {
  /** Connection string, e.g. mongodb://127.0.0.1:27017. */
  uri: string;
  /** Database name. */
  database: string;
  /** Upper bound for any single database operation, server selection included. */
  operationTimeoutMs: number;
}

/** The id is the document's _id; every other field is stored under its record name. */
type Doc<T extends { id: string }> = Omit<T, "id"> & { _id: string };
/**
 * Claims are stored as a list of pairs, not as a sub-document: claim names are often URLs, and
 * dots or a leading "$" in field names are refused or mangled by some MongoDB-wire servers.
 */
type SsoDoc = Omit<Doc<SsoConfigurationRecord>, "claims"> & { claims: { k: string; v: string }[]; deletingSince?: Date };

function ssoToDoc(record: SsoConfigurationRecord): SsoDoc {
  return { ...toDoc(record), claims: claimsToPairs(record.claims) };
}

function ssoFromDoc(doc: SsoDoc): SsoConfigurationRecord {
  const { claims, ...rest } = doc;
  return { ...fromDoc<SsoConfigurationRecord>({ ...rest, claims: {} } as Doc<SsoConfigurationRecord>), claims: Object.fromEntries(claims.map((p) => [p.k, p.v])) };
}

const claimsToPairs = (claims: Record<string, string>) => Object.entries(claims).map(([k, v]) => ({ k, v }));

function fromDoc<T extends { id: string }>(doc: Doc<T>): T {
  const { _id, ...rest } = doc as Doc<T> & { deletingSince?: Date };
  delete (rest as { deletingSince?: Date }).deletingSince;
  return { id: _id, ...rest } as unknown as T;
}

function toDoc<T extends { id: string }>(record: T): Doc<T> {
  const { id, ...rest } = record;
  return { _id: id, ...rest } as Doc<T>;
}

/**
 * Connects, creates the indexes (idempotent: createIndexes with the same spec is a no-op) and
 * returns the MongoDB-backed stores. Stays within what MongoDB and FerretDB v1 both support:
 * single-document atomic writes and unique indexes, no transactions.
 */
export async function createMongoStores(options: MongoStoresOptions): Promise<Stores> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.operationTimeoutMs,
    connectTimeoutMS: options.operationTimeoutMs,
    // A reply slower than this ends the operation (and its connection) instead of hanging.
    socketTimeoutMS: options.operationTimeoutMs,
    // The driver's default (10 s) also paces how soon it notices a restarted server: in about
    // 1 of 5 runs of test/reliability/database-fault.test.ts it had not noticed within 10 s. At
    // 1 s (one small hello per second) it recovered within 0.6 s in 16 of 16 runs.
    heartbeatFrequencyMS: 1000,
    appName: "scim-config-service",
  });
  await guard(() => client.connect());
  const db = client.db(options.database);
  await guard(() => ensureIndexes(db));
  return {
    kind: "mongodb",
    scimConfigurations: new MongoScimConfigurationStore(db.collection("scim_configurations")),
    ssoConfigurations: new MongoSsoConfigurationStore(db.collection("sso_configurations")),
    apiKeys: new MongoApiKeyStore(db.collection("api_keys")),
    ping: async () => {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

const INDEXES: Record<string, IndexDescription[]> = {
  scim_configurations: [
    { key: { tokenHash: 1 }, name: INDEX.scimTokenHash, unique: true },
    { key: { organizationId: 1, ssoConfigurationId: 1 }, name: INDEX.scimSsoLink, unique: true },
    { key: { organizationId: 1, _id: 1 }, name: INDEX.scimPage },
  ],
  sso_configurations: [{ key: { organizationId: 1, _id: 1 }, name: INDEX.ssoPage }],
  api_keys: [
    { key: { keyHash: 1 }, name: INDEX.apiKeyHash, unique: true },
    { key: { organizationId: 1, createdAt: 1 }, name: INDEX.apiKeyOrganization },
  ],
};

/**
 * Creates the indexes that are missing, by name. Asking only for missing ones (rather than
 * re-sending createIndexes, a no-op on MongoDB) also sidesteps FerretDB v1.24, whose handler
 * panics on a createIndexes for indexes that already exist.
 */
async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, wanted] of Object.entries(INDEXES)) {
    const c = db.collection(collection);
    const existing = new Set(
      await c
        .listIndexes()
        .toArray()
        .then((list) => list.map((i) => String(i.name)))
        .catch((err: unknown) => {
          if (err instanceof MongoServerError && (err.code === 26 || err.codeName === "NamespaceNotFound")) return [];
          throw err;
        }),
    );
    const missing = wanted.filter((i) => !existing.has(i.name!));
    if (missing.length > 0) await c.createIndexes(missing);
  }
}

async function findPage<D extends { _id: string }, T extends { id: string }>(
  collection: Collection<D>,
  filter: Filter<D>,
  page: PageRequest,
  map: (doc: D) => T,
): Promise<Page<T>> {
  const keyed = (page.afterId === undefined ? filter : { $and: [filter, { _id: { $gt: page.afterId } }] }) as Filter<D>;
  const docs = await guard(() =>
    collection
      .find(keyed)
      .sort({ organizationId: 1, _id: 1 })
      .limit(page.limit + 1)
      .toArray(),
  );
  return toPage(docs.map((d) => map(d as D)), page.limit);
}

const scimConstraints = { [INDEX.scimSsoLink]: "sso_configuration_id", [INDEX.scimTokenHash]: "token_hash", _id_: "id" } as const;

class MongoScimConfigurationStore implements ScimConfigurationStore {
  constructor(private readonly c: Collection<Doc<ScimConfigurationRecord>>) {}

  async create(record: ScimConfigurationRecord): Promise<void> {
    await guard(() => this.c.insertOne(toDoc(record)), scimConstraints);
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    // By _id alone, the organization checked here: FerretDB v1 (SQLite) uses an index only for a
    // filter that is exactly {_id}; with a second field it scans the whole collection.
    const doc = await guard(() => this.c.findOne({ _id: id }));
    return doc && doc.organizationId === organizationId ? fromDoc<ScimConfigurationRecord>(doc) : undefined;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    return findPage(this.c, { organizationId }, page, (d) => fromDoc<ScimConfigurationRecord>(d));
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const doc = await guard(
      () => this.c.findOneAndUpdate({ _id: id, organizationId }, { $set: set, $max: { updatedAt: now } }, { returnDocument: "after" }),
      scimConstraints,
    );
    return doc ? fromDoc<ScimConfigurationRecord>(doc) : undefined;
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const doc = await guard(
      () =>
        this.c.findOneAndUpdate(
          { _id: id, organizationId },
          { $set: { ...rotation }, $max: { updatedAt: now } },
          { returnDocument: "after" },
        ),
      scimConstraints,
    );
    return doc ? fromDoc<ScimConfigurationRecord>(doc) : undefined;
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await guard(() => this.c.deleteOne({ _id: id, organizationId }));
    return result.deletedCount === 1;
  }

  async findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const doc = await guard(() => this.c.findOne({ tokenHash }));
    return doc ? fromDoc<ScimConfigurationRecord>(doc) : undefined;
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    const doc = await guard(() => this.c.findOne({ organizationId, ssoConfigurationId }, { projection: { _id: 1 } }));
    return doc !== null;
  }
}

const visible = { deletingSince: { $exists: false } } as const;

class MongoSsoConfigurationStore implements SsoConfigurationStore {
  constructor(private readonly c: Collection<SsoDoc>) {}

  async create(record: SsoConfigurationRecord): Promise<void> {
    await guard(() => this.c.insertOne(ssoToDoc(record)), { _id_: "id" });
  }

  async get(organizationId: string, id: string): Promise<SsoConfigurationRecord | undefined> {
    // By _id alone (see MongoScimConfigurationStore.get), the rest of the filter checked here.
    const doc = await guard(() => this.c.findOne({ _id: id }));
    return doc && doc.organizationId === organizationId && doc.deletingSince === undefined ? ssoFromDoc(doc) : undefined;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>> {
    return findPage(this.c, { organizationId, ...visible }, page, ssoFromDoc);
  }

  async update(organizationId: string, id: string, patch: SsoConfigurationPatch, now: Date): Promise<SsoConfigurationRecord | undefined> {
    const set: Record<string, unknown> = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (patch.claims !== undefined) set.claims = claimsToPairs(patch.claims);
    const doc = await guard(() =>
      this.c.findOneAndUpdate({ _id: id, organizationId, ...visible }, { $set: set, $max: { updatedAt: now } }, { returnDocument: "after" }),
    );
    return doc ? ssoFromDoc(doc) : undefined;
  }

  async beginDelete(organizationId: string, id: string): Promise<boolean> {
    const result = await guard(() => this.c.updateOne({ _id: id, organizationId, ...visible }, { $set: { deletingSince: new Date() } }));
    return result.modifiedCount === 1;
  }

  async cancelDelete(organizationId: string, id: string): Promise<void> {
    await guard(() => this.c.updateOne({ _id: id, organizationId }, { $unset: { deletingSince: "" } }));
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await guard(() => this.c.deleteOne({ _id: id, organizationId }));
    return result.deletedCount === 1;
  }
}

class MongoApiKeyStore implements ApiKeyStore {
  constructor(private readonly c: Collection<Doc<ApiKeyRecord>>) {}

  async create(record: ApiKeyRecord): Promise<void> {
    const doc = toDoc(record);
    if (doc.revokedAt === undefined) delete doc.revokedAt;
    await guard(() => this.c.insertOne(doc), { [INDEX.apiKeyHash]: "key_hash", _id_: "id" });
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const doc = await guard(() => this.c.findOne({ keyHash }));
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }

  async list(organizationId?: string): Promise<ApiKeyRecord[]> {
    const filter = organizationId === undefined ? {} : { organizationId };
    const docs = await guard(() => this.c.find(filter).sort({ createdAt: 1, _id: 1 }).toArray());
    return docs.map((d) => fromDoc<ApiKeyRecord>(d));
  }

  async revoke(id: string, now: Date): Promise<ApiKeyRecord | undefined> {
    await guard(() => this.c.updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: now } }));
    const doc = await guard(() => this.c.findOne({ _id: id }));
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }

  async count(): Promise<number> {
    return guard(() => this.c.countDocuments({}));
  }
}
