import type { Collection, Db, Filter, UpdateFilter } from "mongodb";
import type { MemberFilter, MemberListPage, MemberListRequest } from "../../domain/provisioning/member-list.js";
import type { MemberChanges, MemberStore } from "../../domain/provisioning/ports.js";
import type { FormerIdentity, MemberRecord } from "../../domain/provisioning/records.js";
import { fromDoc, toDoc, type Doc } from "./documents.js";
import { guard } from "./errors.js";
import { memberCountFilter, memberListQuery } from "./member-list-query.js";
import { findFirstIn, type FindFirst } from "./find-first.js";

/**
 * Stored form of a member. Two fields exist for queries only (dropped on reading):
 * - `formerKeys`: each former identity as "<scimConfigurationId>/<userNameKey>". FerretDB v1
 *   answers neither `$elemMatch` on arrays of documents nor correlated dotted paths, so
 *   `formerIdentities` cannot be queried by both fields of one element there; an array of
 *   strings can be (and its multikey index serves it on MongoDB).
 * - `fullNameKey`: the full name lowercased, so search compares exactly as the memory store
 *   (toLowerCase) rather than by the database's case-insensitive regex rules.
 */
export type MemberDoc = Doc<MemberRecord> & { formerKeys: string[]; fullNameKey: string };

const formerKey = (f: FormerIdentity) => `${f.scimConfigurationId}/${f.userNameKey}`;
/** Always the same field order, so `$addToSet` and `$pull` compare elements as equal documents. */
const formerElement = (f: FormerIdentity): FormerIdentity => ({ scimConfigurationId: f.scimConfigurationId, userNameKey: f.userNameKey });

function toMemberDoc(record: MemberRecord): MemberDoc {
  return {
    ...toDoc(record),
    formerIdentities: record.formerIdentities.map(formerElement),
    formerKeys: record.formerIdentities.map(formerKey),
    fullNameKey: record.fullName.toLowerCase(),
  };
}

function fromMemberDoc(doc: MemberDoc): MemberRecord {
  const { formerKeys: _keys, fullNameKey: _name, ...rest } = doc;
  return fromDoc<MemberRecord>(rest);
}

/** Organization members in the `members` collection, scoped by organization. */
export class MongoMemberStore implements MemberStore {
  private readonly first: FindFirst<MemberDoc>;

  constructor(private readonly c: Collection<MemberDoc>, db: Db) {
    this.first = findFirstIn(db, c);
  }

  async create(record: MemberRecord): Promise<void> {
    await guard(() => this.c.insertOne(toMemberDoc(record)));
  }

  async get(organizationId: string, id: string): Promise<MemberRecord | undefined> {
    const doc = await guard(() => this.first({ _id: id, organizationId }));
    return doc ? fromMemberDoc(doc) : undefined;
  }

  async findByEmail(organizationId: string, emailKey: string): Promise<MemberRecord[]> {
    // Members without an email share "" and are nobody's match.
    if (emailKey === "") return [];
    const docs = await guard(() => this.c.find({ organizationId, emailKey }).sort({ _id: 1 }).toArray());
    return docs.map(fromMemberDoc);
  }

  /** One query: `{organizationId, $or: [{formerKeys}, {emailKey}]}`, each branch on its index. */
  async findFormerOrEmail(organizationId: string, identity: FormerIdentity, emailKey: string): Promise<{ former?: MemberRecord; byEmail: MemberRecord[] }> {
    const key = formerKey(identity);
    const query = emailKey === "" ? { organizationId, formerKeys: key } : { organizationId, $or: [{ formerKeys: key }, { emailKey }] };
    // Sorted here: each $or branch walks its own index, and the order is only for a stable answer.
    const docs = (await guard(() => this.c.find(query).toArray())).sort((a, b) => (a._id < b._id ? -1 : 1));
    const former = docs.find((d) => d.formerKeys.includes(key));
    const byEmail = emailKey === "" ? [] : docs.filter((d) => d.emailKey === emailKey).map(fromMemberDoc);
    return former ? { former: fromMemberDoc(former), byEmail } : { byEmail };
  }

  async findFormer(organizationId: string, identity: FormerIdentity): Promise<MemberRecord | undefined> {
    const doc = await guard(() => this.first({ organizationId, formerKeys: formerKey(identity) }));
    return doc ? fromMemberDoc(doc) : undefined;
  }

  /**
   * One atomic update. A former identity removed and another added in the same change are two
   * updates (MongoDB refuses `$pull` and `$addToSet` on one field in one update): the removal
   * first, as the memory store applies them; each is idempotent.
   */
  async update(organizationId: string, id: string, changes: MemberChanges, now: Date): Promise<MemberRecord | undefined> {
    const set: Partial<MemberDoc> = {};
    if (changes.status !== undefined) set.status = changes.status;
    if (changes.email !== undefined) set.email = changes.email;
    if (changes.emailKey !== undefined) set.emailKey = changes.emailKey;
    if (changes.fullName !== undefined) Object.assign(set, { fullName: changes.fullName, fullNameKey: changes.fullName.toLowerCase() });
    if (changes.nameKey !== undefined) set.nameKey = changes.nameKey;
    const update: UpdateFilter<MemberDoc> = { $max: { updatedAt: now } };
    if (Object.keys(set).length > 0) update.$set = set;
    const { addFormerIdentity: add, removeFormerIdentity: remove } = changes;
    const pull = remove ? { $pull: { formerIdentities: formerElement(remove), formerKeys: formerKey(remove) } } : {};
    if (remove && add) {
      const pulled = await guard(() => this.c.updateOne({ _id: id, organizationId }, pull as UpdateFilter<MemberDoc>));
      if (pulled.matchedCount === 0) return undefined;
    } else Object.assign(update, pull);
    if (add) update.$addToSet = { formerIdentities: formerElement(add), formerKeys: formerKey(add) };
    const doc = await guard(() => this.c.findOneAndUpdate({ _id: id, organizationId }, update, { returnDocument: "after" }));
    return doc ? fromMemberDoc(doc) : undefined;
  }

  /** One keyset page in the request's order, served by MEMBER_LIST_INDEXES (member-list-query.ts). */
  async list(organizationId: string, request: MemberListRequest): Promise<MemberListPage<MemberRecord>> {
    const query = memberListQuery(organizationId, request);
    const docs = await guard(() => this.c.find(query.filter as Filter<MemberDoc>).sort(query.sort).limit(query.limit).toArray());
    return { items: docs.slice(0, request.limit).map(fromMemberDoc), more: docs.length > request.limit };
  }

  count(organizationId: string, filter: MemberFilter): Promise<number> {
    return guard(() => this.c.countDocuments(memberCountFilter(organizationId, filter) as Filter<MemberDoc>));
  }
}
