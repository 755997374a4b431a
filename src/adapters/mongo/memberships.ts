import { MongoBulkWriteError, MongoServerError, type Collection } from "mongodb";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { MembershipStore } from "../../domain/provisioning/ports.js";
import { guard } from "./errors.js";

/** One membership: the _id names the (configuration, group, user) triple, so adding twice is one document. */
export interface MembershipDoc {
  _id: string;
  scimConfigurationId: string;
  groupId: string;
  userId: string;
  /** The order members were added in (see nextSeq). */
  seq: number;
}

const membershipId = (scimConfigurationId: string, groupId: string, userId: string) => `${scimConfigurationId}:${groupId}:${userId}`;

/**
 * Group memberships in `scim_memberships`, one document per (group, user): adding or removing a
 * member writes that document only, whatever the group's size, and concurrent changes never
 * overwrite each other.
 *
 * Adding is an unordered insertMany whose duplicate-key refusals are the members that were there
 * already (kept, with their place in the order). Measured on FerretDB v1.24: 2,000 inserts with
 * 1,000 duplicates took 0.3 s, while the same as bulkWrite upserts ($setOnInsert) took 16 s, and
 * twice that once the documents existed (every upsert is a full scan there: no indexes).
 */
export class MongoMembershipStore implements MembershipStore {
  private lastSeq = 0;

  constructor(private readonly c: Collection<MembershipDoc>) {}

  async add(scimConfigurationId: string, groupId: string, userIds: readonly string[], now: Date): Promise<void> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return;
    const first = this.nextSeq(now, unique.length);
    const docs = unique.map((userId, i) => ({ _id: membershipId(scimConfigurationId, groupId, userId), scimConfigurationId, groupId, userId, seq: first + i }));
    await guard(async () => {
      try {
        await this.c.insertMany(docs, { ordered: false });
      } catch (err) {
        if (!onlyDuplicates(err)) throw err;
      }
    });
  }

  async remove(scimConfigurationId: string, groupId: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const ids = [...new Set(userIds)].map((userId) => membershipId(scimConfigurationId, groupId, userId));
    await guard(() => this.c.deleteMany({ _id: { $in: ids } }));
  }

  async removeAll(scimConfigurationId: string, groupId: string): Promise<void> {
    await guard(() => this.c.deleteMany({ scimConfigurationId, groupId }));
  }

  async membersOf(scimConfigurationId: string, groupId: string): Promise<string[]> {
    const docs = await guard(() => this.c.find({ scimConfigurationId, groupId }, { projection: { userId: 1 } }).sort({ seq: 1, _id: 1 }).toArray());
    return docs.map((d) => d.userId);
  }

  async groupsOf(scimConfigurationId: string, userId: string): Promise<string[]> {
    const docs = await guard(() => this.c.find({ scimConfigurationId, userId }, { projection: { groupId: 1 } }).sort({ seq: 1, _id: 1 }).toArray());
    return docs.map((d) => d.groupId);
  }

  async removeUser(scimConfigurationId: string, userId: string): Promise<void> {
    await guard(() => this.c.deleteMany({ scimConfigurationId, userId }));
  }

  /**
   * `count` consecutive sequence numbers after every one this process handed out, starting no
   * earlier than `now` (in microsecond-sized steps: 1,000 per millisecond, exact integers until
   * the year 2255). Across processes the order is the clocks' (a membership added on another
   * replica in the same millisecond may sort either way; _id breaks the tie).
   */
  /** Member ids in id order, keyset paged, on {scimConfigurationId, groupId, userId}. */
  async pageMembers(scimConfigurationId: string, groupId: string, page: PageRequest): Promise<Page<string>> {
    const query = { scimConfigurationId, groupId, ...(page.afterId !== undefined ? { userId: { $gt: page.afterId } } : {}) };
    const docs = await guard(() => this.c.find(query, { projection: { userId: 1 } }).sort({ userId: 1 }).limit(page.limit + 1).toArray());
    return pageOfIds(docs.map((d) => d.userId), page.limit);
  }

  countMembers(scimConfigurationId: string, groupId: string): Promise<number> {
    return guard(() => this.c.countDocuments({ scimConfigurationId, groupId }));
  }

  private nextSeq(now: Date, count: number): number {
    const first = Math.max(this.lastSeq + 1, now.getTime() * 1000);
    this.lastSeq = first + count - 1;
    return first;
  }
}

/** An unordered insert refused only for duplicate keys: those documents exist already. */
function onlyDuplicates(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    // Every refusal across the driver's batches, not only the first batch's.
    const errors = err.result.getWriteErrors();
    return errors.length > 0 && errors.every((e) => e.code === 11000) && !err.result.getWriteConcernError();
  }
  return err instanceof MongoServerError && err.code === 11000;
}

function pageOfIds(ids: string[], limit: number): Page<string> {
  const page = toPage(ids.map((id) => ({ id })), limit);
  return { items: page.items.map((r) => r.id), nextToken: page.nextToken };
}
