import type { Collection } from "mongodb";
import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../domain/errors.js";
import type { Page, PageRequest } from "../../domain/pagination.js";
import type { ScimConfigurationPatch, ScimConfigurationStore, TokenRotation } from "../../domain/ports.js";
import type { ScimConfigurationRecord } from "../../domain/records.js";
import { anyFieldDiffers, findPage, fromDoc, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { INDEX } from "./indexes.js";

/** Stored form; documents written before tokenIssuedAt existed carry tokenExpiresAt instead. */
type ScimDoc = Doc<ScimConfigurationRecord> & { tokenExpiresAt?: Date };

const uniques = { [INDEX.scimSsoLink]: () => new AlreadyExistsError(CONFLICT.scimSsoLink) };

function fromScimDoc(doc: ScimDoc): ScimConfigurationRecord {
  const { tokenExpiresAt, ...rest } = doc;
  const record = fromDoc<ScimConfigurationRecord>(rest as Doc<ScimConfigurationRecord>);
  // An earlier release stored the expiry; the issue time follows from it and the lifetime.
  if (record.tokenIssuedAt === undefined && tokenExpiresAt !== undefined) {
    record.tokenIssuedAt = new Date(tokenExpiresAt.getTime() - record.tokenLifetimeSeconds * 1000);
  }
  return record;
}

/** SCIM configurations in the `scim_configurations` collection. */
export class MongoScimConfigurationStore implements ScimConfigurationStore {
  constructor(private readonly c: Collection<ScimDoc>) {}

  async create(record: ScimConfigurationRecord): Promise<void> {
    await this.telling(record, () => guard(() => this.c.insertOne(toDoc(record)), uniques));
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    // By _id alone, the organization checked here: the _id index alone serves it.
    const doc = await guard(() => this.c.findOne({ _id: id }));
    return doc && doc.organizationId === organizationId ? fromScimDoc(doc) : undefined;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    return findPage(this.c, { organizationId }, page, fromScimDoc);
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length > 0) {
      const doc = await this.telling({ id, organizationId, ssoConfigurationId: patch.ssoConfigurationId }, () =>
        guard(
          () => this.c.findOneAndUpdate({ _id: id, organizationId, ...anyFieldDiffers(set) }, { $set: set, $max: { updatedAt: now } }, { returnDocument: "after" }),
          uniques,
        ),
      );
      if (doc) return fromScimDoc(doc);
    }
    // Nothing to change (or no such record): answer with what is stored, updatedAt untouched.
    return this.get(organizationId, id);
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    // The lifetime is left alone when not given, so this one write keeps it without reading it.
    const set: Record<string, unknown> = { tokenHash: rotation.tokenHash, tokenIssuedAt: rotation.issuedAt };
    if (rotation.lifetimeSeconds !== undefined) set.tokenLifetimeSeconds = rotation.lifetimeSeconds;
    const doc = await guard(
      () =>
        this.c.findOneAndUpdate(
          { _id: id, organizationId },
          { $set: set, $unset: { tokenExpiresAt: "" }, $max: { updatedAt: now } },
          { returnDocument: "after" },
        ),
      uniques,
    );
    return doc ? fromScimDoc(doc) : undefined;
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await guard(() => this.c.deleteOne({ _id: id, organizationId }));
    return result.deletedCount === 1;
  }

  async findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const doc = await guard(() => this.c.findOne({ tokenHash }));
    return doc ? fromScimDoc(doc) : undefined;
  }

  /**
   * MongoDB names the refusing index in its duplicate-key message; FerretDB v1 does not (its
   * E11000 says only the collection). When the index is unnamed, ask: if another configuration
   * links the same SSO configuration, it is that rule; otherwise a generated key collided.
   */
  private async telling<T>(target: { id: string; organizationId: string; ssoConfigurationId?: string | undefined }, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (!(err instanceof KeyCollisionError) || target.ssoConfigurationId === undefined) throw err;
      const other = await guard(() => this.c.findOne({ organizationId: target.organizationId, ssoConfigurationId: target.ssoConfigurationId }, { projection: { _id: 1 } }));
      throw other && other._id !== target.id ? new AlreadyExistsError(CONFLICT.scimSsoLink) : err;
    }
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    const doc = await guard(() => this.c.findOne({ organizationId, ssoConfigurationId }, { projection: { _id: 1 } }));
    return doc !== null;
  }
}
