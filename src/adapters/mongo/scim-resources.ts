import type { Collection, Db, Filter, UpdateFilter } from "mongodb";
import { AlreadyExistsError, KeyCollisionError } from "../../domain/errors.js";
import type { ListQuery, ListResult } from "../../domain/provisioning/list-query.js";
import type { Stale } from "../../domain/provisioning/ports.js";
import type { ResourceTypeDef } from "../../domain/scim/schema.js";
import type { ScimRecord } from "../../domain/scim/scim-record.js";
import { guard } from "./errors.js";
import { fromResourceDoc, toResourceDoc, WITHOUT_FORM, type ResourceDoc } from "./scim-documents.js";
import { listResources } from "./scim-list.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

type Scoped = ScimRecord & { scimConfigurationId: string };

/** Update operators by dotted path (the driver's UpdateFilter cannot type paths into `s`). */
export type ResourceUpdate = Partial<Record<"$set" | "$unset" | "$max", Record<string, unknown>>>;

export interface MongoResourceOptions {
  /** The resource type: the layout of the search form stored under `s`. */
  resource: ResourceTypeDef;
  /** The field of the unique key per configuration (userName or displayName, lowercased). */
  uniqueField: string;
  /** Name of its unique index (MongoDB names the index in a duplicate-key error). */
  uniqueIndex: string;
  /** The message of the AlreadyExistsError the unique key raises. */
  conflict: string;
}

/**
 * Users or Groups in one collection, every operation scoped by SCIM configuration. Versioned
 * writes are one findOneAndUpdate each, conditional on the version the caller read; only when
 * it matches nothing does a second read tell a stale version from a deleted resource.
 * findOneAndUpdate / findOneAndDelete carry no projection: FerretDB v1.24 refuses findAndModify's
 * `fields` ("not implemented yet"), so the search form comes back and fromResourceDoc drops it.
 */
export class MongoScimResources<R extends Scoped> {
  private readonly first: FindFirst<ResourceDoc>;

  constructor(
    private readonly c: Collection<ResourceDoc>,
    db: Db,
    private readonly options: MongoResourceOptions,
  ) {
    this.first = findFirstIn(db, c);
  }

  async create(record: R): Promise<void> {
    const doc = toResourceDoc(this.options.resource, record);
    await this.telling(record.scimConfigurationId, record.id, String((doc as unknown as Record<string, unknown>)[this.options.uniqueField]), () => guard(() => this.c.insertOne(doc), this.uniques()));
  }

  async get(scimConfigurationId: string, id: string): Promise<R | undefined> {
    const doc = await guard(() => this.first({ _id: id, scimConfigurationId }, WITHOUT_FORM.projection));
    return doc ? fromResourceDoc<R>(doc) : undefined;
  }

  async getMany(scimConfigurationId: string, ids: readonly string[]): Promise<R[]> {
    if (ids.length === 0) return [];
    const docs = await guard(() => this.c.find({ _id: { $in: [...new Set(ids)] }, scimConfigurationId }, WITHOUT_FORM).toArray());
    return docs.map((d) => fromResourceDoc<R>(d));
  }

  async findUnique(scimConfigurationId: string, key: string): Promise<R | undefined> {
    const doc = await guard(() => this.first({ scimConfigurationId, [this.options.uniqueField]: key }, WITHOUT_FORM.projection));
    return doc ? fromResourceDoc<R>(doc) : undefined;
  }

  /** The documents matching `filter` (any scope), in _id order. */
  async find(filter: Filter<ResourceDoc>): Promise<R[]> {
    const docs = await guard(() => this.c.find(filter, WITHOUT_FORM).sort({ _id: 1 }).toArray());
    return docs.map((d) => fromResourceDoc<R>(d));
  }

  list(scimConfigurationId: string, query: ListQuery): Promise<ListResult<R>> {
    return listResources(this.c, scimConfigurationId, query, (d) => fromResourceDoc<R>(d));
  }

  /**
   * One conditional write (on `expectedVersion` when given) that also bumps the version.
   * `uniqueKey` is the record's unique key after the write, to tell a refusal of the unique index
   * apart from other duplicate keys.
   */
  async update(scimConfigurationId: string, id: string, expectedVersion: number | undefined, update: ResourceUpdate, uniqueKey?: string): Promise<R | Stale | undefined> {
    const filter = { _id: id, scimConfigurationId, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) };
    const write = () =>
      guard(() => this.c.findOneAndUpdate(filter, { ...update, $inc: { version: 1 } } as UpdateFilter<ResourceDoc>, { returnDocument: "after" }), this.uniques());
    const doc = uniqueKey === undefined ? await write() : await this.telling(scimConfigurationId, id, uniqueKey, write);
    if (doc) return fromResourceDoc<R>(doc);
    return expectedVersion === undefined ? undefined : this.staleOrGone(scimConfigurationId, id);
  }

  async delete(scimConfigurationId: string, id: string, expectedVersion: number | undefined): Promise<R | Stale | undefined> {
    const filter = { _id: id, scimConfigurationId, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) };
    const doc = await guard(() => this.c.findOneAndDelete(filter));
    if (doc) return fromResourceDoc<R>(doc);
    return expectedVersion === undefined ? undefined : this.staleOrGone(scimConfigurationId, id);
  }

  /** After a conditional write matched nothing: "stale" when the resource is there at another version. */
  private async staleOrGone(scimConfigurationId: string, id: string): Promise<Stale | undefined> {
    const exists = await guard(() => this.first({ _id: id, scimConfigurationId }, { _id: 1 }));
    return exists ? "stale" : undefined;
  }

  private uniques() {
    return { [this.options.uniqueIndex]: () => new AlreadyExistsError(this.options.conflict) };
  }

  /**
   * MongoDB names the refusing index in its duplicate-key message (guard maps it); FerretDB v1
   * does not, so guard can only say "a key collided". Then ask: another resource of the
   * configuration holding the unique key means the client's rule was broken; otherwise it was a
   * generated key (the id).
   */
  private async telling<T>(scimConfigurationId: string, id: string, uniqueKey: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof KeyCollisionError)) throw err;
      const other = await guard(() => this.first({ scimConfigurationId, [this.options.uniqueField]: uniqueKey }, { _id: 1 }));
      throw other && other._id !== id ? new AlreadyExistsError(this.options.conflict) : err;
    }
  }
}
