import type { Collection, Db } from "mongodb";
import type { Page, PageRequest } from "../../domain/pagination.js";
import type { SsoConfigurationPatch, SsoConfigurationStore } from "../../domain/ports.js";
import type { SsoConfigurationRecord } from "../../domain/records.js";
import { anyFieldDiffers, findPage, fromDoc, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

/**
 * Claims are stored as a list of pairs, not as a sub-document: claim names are often URLs, and
 * dots or a leading "$" in field names are refused or mangled by some MongoDB-wire servers.
 */
type SsoDoc = Omit<Doc<SsoConfigurationRecord>, "claims"> & { claims: { k: string; v: string }[]; deletingSince?: Date };

const claimsToPairs = (claims: Record<string, string>) => Object.entries(claims).map(([k, v]) => ({ k, v }));

function ssoToDoc(record: SsoConfigurationRecord): SsoDoc {
  return { ...toDoc(record), claims: claimsToPairs(record.claims) };
}

function ssoFromDoc(doc: SsoDoc): SsoConfigurationRecord {
  const { claims, deletingSince: _, ...rest } = doc;
  return { ...fromDoc<SsoConfigurationRecord>({ ...rest, claims: {} } as Doc<SsoConfigurationRecord>), claims: Object.fromEntries(claims.map((p) => [p.k, p.v])) };
}

const visible = { deletingSince: { $exists: false } } as const;

/** SSO configurations in the `sso_configurations` collection. */
export class MongoSsoConfigurationStore implements SsoConfigurationStore {
  private readonly first: FindFirst<SsoDoc>;

  constructor(private readonly c: Collection<SsoDoc>, db: Db) {
    this.first = findFirstIn(db, c);
  }

  async create(record: SsoConfigurationRecord): Promise<void> {
    await guard(() => this.c.insertOne(ssoToDoc(record)));
  }

  async get(organizationId: string, id: string): Promise<SsoConfigurationRecord | undefined> {
    // By _id alone (the _id index serves it), the rest of the filter checked here.
    const doc = await guard(() => this.first({ _id: id }));
    return doc && doc.organizationId === organizationId && doc.deletingSince === undefined ? ssoFromDoc(doc) : undefined;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>> {
    return findPage(this.c, { organizationId }, page, ssoFromDoc, visible);
  }

  async update(organizationId: string, id: string, patch: SsoConfigurationPatch, now: Date): Promise<SsoConfigurationRecord | undefined> {
    const set: Record<string, unknown> = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (patch.claims !== undefined) set.claims = claimsToPairs(patch.claims);
    if (Object.keys(set).length > 0) {
      const doc = await guard(() =>
        this.c.findOneAndUpdate({ _id: id, organizationId, ...visible, ...anyFieldDiffers(set) }, { $set: set, $max: { updatedAt: now } }, { returnDocument: "after" }),
      );
      if (doc) return ssoFromDoc(doc);
    }
    return this.get(organizationId, id);
  }

  async beginDelete(organizationId: string, id: string, now: Date): Promise<boolean> {
    const result = await guard(() => this.c.updateOne({ _id: id, organizationId, ...visible }, { $set: { deletingSince: now } }));
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
