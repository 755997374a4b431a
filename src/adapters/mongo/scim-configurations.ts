import type { Collection, Db } from "mongodb";
import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../domain/errors.js";
import type { Page, PageRequest } from "../../domain/pagination.js";
import type { CredentialUseWrite, CredentialWrite, ScimConfigurationPatch, ScimConfigurationStore, TokenRotation } from "../../domain/ports.js";
import type { ScimConfigurationRecord } from "../../domain/records.js";
import { ResourceWriteQueue } from "../../domain/provisioning/versioned-write.js";
import { anyFieldDiffers, findPage, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { INDEX } from "./indexes.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

/** Stored form; documents written before tokenIssuedAt existed carry tokenExpiresAt instead. */
type ScimDoc = Doc<ScimConfigurationRecord> & { tokenExpiresAt?: Date };

const uniques = { [INDEX.scimSsoLink]: () => new AlreadyExistsError(CONFLICT.scimSsoLink) };

function fromScimDoc(doc: ScimDoc): ScimConfigurationRecord {
  // Two copies of the document where going through fromDoc made three (every SCIM call reads one).
  const { _id, tokenExpiresAt, ...rest } = doc;
  const record = { id: _id, ...rest } as ScimConfigurationRecord;
  // An earlier release stored the expiry; the issue time follows from it and the lifetime.
  if (record.tokenIssuedAt === undefined && tokenExpiresAt !== undefined) {
    record.tokenIssuedAt = new Date(tokenExpiresAt.getTime() - record.tokenLifetimeSeconds * 1000);
  }
  return record;
}

/**
 * SCIM configurations in the `scim_configurations` collection.
 *
 * Writes to one configuration run one after another within this process. MongoDB applies each
 * update atomically to its document, so there this only spares compare-and-set retries; FerretDB
 * v1 (the test database) runs an update as a read and a write of the whole document without
 * isolation, and measured here concurrent updates of one document lose some of their changes (a
 * usage write can undo a rotation it overlaps, two compare-and-set writes can both "win"). Within
 * one process the queue rules that out; across processes on FerretDB it stays possible.
 */
export class MongoScimConfigurationStore implements ScimConfigurationStore {
  private readonly writes = new ResourceWriteQueue();

  private readonly first: FindFirst<ScimDoc>;

  constructor(private readonly c: Collection<ScimDoc>, db: Db) {
    this.first = findFirstIn(db, c);
  }

  async create(record: ScimConfigurationRecord): Promise<void> {
    await this.telling(record, () => guard(() => this.c.insertOne(toDoc(record)), uniques));
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    // By _id alone, the organization checked here: the _id index alone serves it.
    const doc = await guard(() => this.first({ _id: id }));
    return doc && doc.organizationId === organizationId ? fromScimDoc(doc) : undefined;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    return findPage(this.c, { organizationId }, page, fromScimDoc);
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    return this.writes.run(id, async () => {
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
    });
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    return this.writes.run(id, async () => {
      // The lifetime is left alone when not given, so this one write keeps it without reading it.
      // Every rotated-out token goes with the $unset, and the version moves, so a compare-and-set
      // write computed from an earlier read (a rotation with an overlap) cannot bring one back.
      const set: Record<string, unknown> = { tokenHash: rotation.tokenHash, tokenIssuedAt: rotation.issuedAt, tokenId: rotation.tokenId, tokenPrefix: rotation.tokenPrefix };
      if (rotation.lifetimeSeconds !== undefined) set.tokenLifetimeSeconds = rotation.lifetimeSeconds;
      const doc = await guard(
        () =>
          this.c.findOneAndUpdate(
            { _id: id, organizationId },
            {
              $set: set,
              $unset: { tokenExpiresAt: "", tokenEndsAt: "", previousTokens: "", tokenUsage: "" },
              $inc: { credentialVersion: 1 },
              $max: { updatedAt: now },
            },
            { returnDocument: "after" },
          ),
        uniques,
      );
      return doc ? fromScimDoc(doc) : undefined;
    });
  }

  async writeCredentials(organizationId: string, id: string, write: CredentialWrite): Promise<ScimConfigurationRecord | "conflict" | undefined> {
    return this.writes.run(id, async () => {
      const set: Record<string, unknown> = {};
      const unset: Record<string, ""> = {};
      for (const [field, value] of Object.entries(write.set)) {
        if (value === undefined) unset[field] = "";
        else set[field] = value;
      }
      if (write.set.tokenIssuedAt !== undefined) unset.tokenExpiresAt = "";
      for (const tokenId of write.dropTokenUsage ?? []) unset[`tokenUsage.${tokenId}`] = "";
      for (const secretId of write.dropSecretUsage ?? []) unset[`secretUsage.${secretId}`] = "";
      const update: Record<string, unknown> = { $inc: { credentialVersion: 1 } };
      if (Object.keys(set).length > 0) update.$set = set;
      if (Object.keys(unset).length > 0) update.$unset = unset;
      if (write.updatedAt) update.$max = { updatedAt: write.updatedAt };
      // A record never written this way has no version: "still unversioned" is the condition then.
      const version = write.expectedVersion === undefined ? { $exists: false } : write.expectedVersion;
      const doc = await guard(() => this.c.findOneAndUpdate({ _id: id, organizationId, credentialVersion: version }, update, { returnDocument: "after" }), uniques);
      if (doc) return fromScimDoc(doc);
      return (await this.get(organizationId, id)) ? "conflict" : undefined;
    });
  }

  async recordUse(id: string, uses: readonly CredentialUseWrite[]): Promise<void> {
    return this.writes.run(id, async () => {
      if (uses.length === 0) return;
      const set = Object.fromEntries(uses.map((u) => [`${u.kind === "token" ? "tokenUsage" : "secretUsage"}.${u.id}`, u.use]));
      await guard(() => this.c.updateOne({ _id: id }, { $set: set }));
    });
  }

  async setIpAllowlist(organizationId: string, id: string, cidrs: readonly string[], now: Date): Promise<ScimConfigurationRecord | undefined> {
    return this.writes.run(id, async () => {
      const doc = await guard(() =>
        this.c.findOneAndUpdate({ _id: id, organizationId }, { $set: { ipAllowlist: [...cidrs] }, $max: { updatedAt: now } }, { returnDocument: "after" }),
      );
      return doc ? fromScimDoc(doc) : undefined;
    });
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    return this.writes.run(id, async () => {
      const result = await guard(() => this.c.deleteOne({ _id: id, organizationId }));
      return result.deletedCount === 1;
    });
  }

  async findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    // One round trip for the current and the rotated-out tokens; each branch has its index.
    const doc = await guard(() => this.first({ $or: [{ tokenHash }, { "previousTokens.hash": tokenHash }] }));
    return doc ? fromScimDoc(doc) : undefined;
  }

  async findByAccessTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const doc = await guard(() => this.first({ "accessTokens.hash": tokenHash }));
    return doc ? fromScimDoc(doc) : undefined;
  }

  async findById(id: string): Promise<ScimConfigurationRecord | undefined> {
    const doc = await guard(() => this.first({ _id: id }));
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
      const other = await guard(() => this.first({ organizationId: target.organizationId, ssoConfigurationId: target.ssoConfigurationId }, { _id: 1 }));
      throw other && other._id !== target.id ? new AlreadyExistsError(CONFLICT.scimSsoLink) : err;
    }
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    const doc = await guard(() => this.first({ organizationId, ssoConfigurationId }, { _id: 1 }));
    return doc !== null;
  }
}
