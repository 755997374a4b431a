import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { MongoClient, type Collection, type CommandStartedEvent } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MemoryMemberStore } from "../../../src/adapters/memory/members.js";
import { toDoc, type Doc } from "../../../src/adapters/mongo/documents.js";
import { MEMBER_LIST_INDEXES, memberCountFilter, memberListQuery } from "../../../src/adapters/mongo/member-list-query.js";
import { newId } from "../../../src/domain/ids.js";
import { memberNameKey, type MemberFilter, type MemberListRequest, type MemberSort } from "../../../src/domain/provisioning/member-list.js";
import type { MemberRecord, MemberStatus } from "../../../src/domain/provisioning/records.js";
import { servedByIndex, type SentQuery } from "../../support/query-index-check.js";

const ORG = randomUUID();
const NAMES = ["Ada Lovelace", "ada lovelace", "Grace Hopper", "Alan Turing", "Zoë Ünal", "Katherine Johnson", "", "Émile Borel", "Ada (2)", "grace hopper"];
const STATUSES: MemberStatus[] = ["active", "suspended", "left"];

/**
 * The MongoDB query of ListMembers (for the members adapter) against FerretDB, held to the memory
 * store's answers: the same members in the same order, page by page, for random filters, orders
 * and page sizes; every find served by MEMBER_LIST_INDEXES.
 */
describe("ListMembers' MongoDB query agrees with the memory store (FerretDB)", () => {
  let client: MongoClient;
  let members: Collection<Doc<MemberRecord>>;
  const memory = new MemoryMemberStore();
  const records: MemberRecord[] = [];
  const sent: SentQuery[] = [];

  beforeAll(async () => {
    client = new MongoClient(inject("mongoUri"), { monitorCommands: true });
    await client.connect();
    client.on("commandStarted", (e: CommandStartedEvent) => {
      const c = e.command as Record<string, any>;
      if (c.find === "members") sent.push({ collection: "members", filter: c.filter ?? {}, sort: c.sort });
    });
    members = client.db(`t_${randomUUID().replaceAll("-", "")}`).collection("members");
    await members.createIndexes(MEMBER_LIST_INDEXES);
    for (let i = 0; i < 60; i++) {
      const fullName = NAMES[i % NAMES.length]!;
      const now = new Date();
      const email = i % 7 === 0 ? "" : `user${i % 20}@Example.com`;
      const r: MemberRecord = { id: newId(now), organizationId: ORG, email, emailKey: email.toLowerCase(), fullName, nameKey: memberNameKey(fullName), status: STATUSES[i % 3]!, loginProvider: "cfg", createdAt: now, updatedAt: now, formerIdentities: [] };
      records.push(r);
      await memory.create(r);
      await members.insertOne(toDoc(r));
    }
    // Another organization's members are never returned.
    await members.insertOne(toDoc({ ...records[0]!, id: newId(), organizationId: randomUUID() }));
  });
  afterAll(() => client?.close());

  async function walkMongo(filter: MemberFilter, sort: MemberSort, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: MemberListRequest["after"];
    for (let i = 0; i < 200; i++) {
      const q = memberListQuery(ORG, { filter, sort, limit, after });
      const docs = await members.find(q.filter).sort(q.sort).limit(q.limit).toArray();
      const page = docs.slice(0, limit);
      out.push(...page.map((d) => d._id));
      if (docs.length <= limit) return out;
      const last = page[page.length - 1]!;
      after = { id: last._id, nameKey: last.nameKey };
    }
    throw new Error("too many pages");
  }

  async function walkMemory(filter: MemberFilter, sort: MemberSort, limit: number): Promise<string[]> {
    const out: string[] = [];
    let after: MemberListRequest["after"];
    for (let i = 0; i < 200; i++) {
      const page = await memory.list(ORG, { filter, sort, limit, after });
      out.push(...page.items.map((m) => m.id));
      if (!page.more) return out;
      after = page.items[page.items.length - 1];
    }
    throw new Error("too many pages");
  }

  it("walks every filter, order and page size to the same members in the same order", async () => {
    // The fixed cases first: the whole list by name, and one status newest first.
    const byName = await walkMongo({}, { field: "name", order: "asc" }, 7);
    expect(byName).toEqual(await walkMemory({}, { field: "name", order: "asc" }, 7));
    expect(byName).toHaveLength(60);
    expect(await walkMongo({ statuses: ["left"] }, { field: "memberSince", order: "desc" }, 3)).toEqual(records.filter((r) => r.status === "left").map((r) => r.id).reverse());
    const filters = fc.record(
      {
        search: fc.constantFrom("ada", "HOPPER", "ü", "example.com", "(2)", "user1", "."),
        emailKey: fc.constantFrom("user3@example.com", "nobody@example.com"),
        statuses: fc.subarray(STATUSES, { minLength: 1 }),
        userIds: fc.constant(undefined).map(() => records.filter((_, i) => i % 4 === 1).map((r) => r.id)),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(filters, fc.constantFrom<MemberSort["field"]>("name", "memberSince"), fc.constantFrom<MemberSort["order"]>("asc", "desc"), fc.integer({ min: 1, max: 25 }), async (filter, field, order, limit) => {
        const sort = { field, order };
        const expected = await walkMemory(filter, sort, limit);
        expect(await walkMongo(filter, sort, limit)).toEqual(expected);
        expect(await members.countDocuments(memberCountFilter(ORG, filter))).toBe(await memory.count(ORG, filter));
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("sends only queries MEMBER_LIST_INDEXES serve", () => {
    expect(sent.length).toBeGreaterThan(60);
    for (const q of sent) {
      // A user-id filter is a few _id lookups: the built-in _id index serves it.
      expect(servedByIndex(q, MEMBER_LIST_INDEXES), JSON.stringify(q)).toBeDefined();
    }
  });
});
