import { randomUUID } from "node:crypto";
import { MongoClient, type Document, type IndexDescription } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkCoverage, queriesOf, recordCommands, type CoverageOptions, type RecordedQuery } from "../support/index-coverage.js";

/** A catalogue shaped like the Mongo adapter's (synthetic: the adapter's own is checked by the store contract suite). */
const CATALOGUE: Record<string, IndexDescription[]> = {
  scim_configurations: [
    { key: { tokenHash: 1 }, name: "token_hash_unique", unique: true },
    { key: { organizationId: 1, ssoConfigurationId: 1 }, name: "sso_link_unique", unique: true },
    { key: { organizationId: 1, _id: 1 }, name: "organization_page" },
  ],
  api_keys: [{ key: { organizationId: 1, createdAt: 1 }, name: "organization_created" }],
};

const find = (collection: string, filter: Document, sort?: Document): RecordedQuery[] => queriesOf("find", "db", { find: collection, filter, ...(sort ? { sort } : {}) });
const violations = (queries: RecordedQuery[], catalogue = CATALOGUE, options?: CoverageOptions) => checkCoverage(queries, catalogue, options).map((v) => v.message);
const without = (collection: string, name: string): Record<string, IndexDescription[]> => ({
  ...CATALOGUE,
  [collection]: CATALOGUE[collection]!.filter((i) => i.name !== name),
});
const withIndexes = (collection: string, ...indexes: IndexDescription[]) => ({ ...CATALOGUE, [collection]: indexes });
const PAGE_SORT = { organizationId: 1, _id: 1 };

describe("queriesOf: the queries in a command as the driver sends it", () => {
  it("reads filter and sort (a Map, as the driver sends it) from find and findAndModify", () => {
    const sort = new Map([["organizationId", 1], ["_id", 1]]);
    expect(queriesOf("find", "db", { find: "c", filter: { a: 1 }, sort, limit: 26 })).toEqual([
      { command: "find", database: "db", collection: "c", filter: { a: 1 }, sort: [["organizationId", 1], ["_id", 1]] },
    ]);
    expect(queriesOf("findAndModify", "db", { findAndModify: "c", query: { _id: "x" }, update: { $set: { b: 1 } } })).toEqual([
      { command: "findAndModify", database: "db", collection: "c", filter: { _id: "x" }, sort: [] },
    ]);
  });

  it("reads every statement of update and delete, and the query of count and distinct", () => {
    const q = (cmd: string, doc: Document) => queriesOf(cmd, "db", doc).map((r) => [r.command, r.filter]);
    expect(q("update", { update: "c", updates: [{ q: { a: 1 }, u: {} }, { q: { b: 2 }, u: {} }] })).toEqual([["update", { a: 1 }], ["update", { b: 2 }]]);
    expect(q("delete", { delete: "c", deletes: [{ q: { a: 1 }, limit: 1 }] })).toEqual([["delete", { a: 1 }]]);
    expect(q("count", { count: "c", query: { a: 1 } })).toEqual([["count", { a: 1 }]]);
    expect(q("distinct", { distinct: "c", key: "k" })).toEqual([["distinct", {}]]);
  });

  it("reads an aggregate's leading $match and the $sort after it; a pipeline without $match filters nothing", () => {
    expect(queriesOf("aggregate", "db", { aggregate: "c", pipeline: [{ $match: { a: 1 } }, { $sort: { b: -1 } }] })).toMatchObject([{ filter: { a: 1 }, sort: [["b", -1]] }]);
    expect(queriesOf("aggregate", "db", { aggregate: "c", pipeline: [{ $group: { _id: "$a" } }] })).toMatchObject([{ filter: {}, sort: [] }]);
    expect(queriesOf("aggregate", "db", { aggregate: "c", pipeline: [{ $indexStats: {} }] })).toEqual([]);
    expect(queriesOf("aggregate", "db", { aggregate: 1, pipeline: [{ $currentOp: {} }] })).toEqual([]);
  });

  it("ignores commands that query nothing", () => {
    expect(queriesOf("insert", "db", { insert: "c", documents: [{}] })).toEqual([]);
    expect(queriesOf("listIndexes", "db", { listIndexes: "c" })).toEqual([]);
    expect(queriesOf("ping", "admin", { ping: 1 })).toEqual([]);
  });
});

describe("checkCoverage", () => {
  it("covers the adapter's queries: keyset page, lookup by token hash, writes by _id, SSO link check", () => {
    expect(
      violations([
        ...find("scim_configurations", { organizationId: "o" }, PAGE_SORT),
        ...find("scim_configurations", { $and: [{ organizationId: "o" }, { _id: { $gt: "id" } }] }, PAGE_SORT),
        ...find("scim_configurations", { tokenHash: "h" }),
        ...find("scim_configurations", { organizationId: "o", ssoConfigurationId: "s" }),
        ...queriesOf("findAndModify", "db", { findAndModify: "scim_configurations", query: { _id: "x", organizationId: "o" } }),
        ...queriesOf("delete", "db", { delete: "scim_configurations", deletes: [{ q: { _id: "x", organizationId: "o" }, limit: 1 }] }),
      ]),
    ).toEqual([]);
  });

  it("fails a query that was covered once the index it relies on is removed from the catalogue", () => {
    const page = find("scim_configurations", { $and: [{ organizationId: "o" }, { _id: { $gt: "id" } }] }, PAGE_SORT);
    expect(violations(page)).toEqual([]);
    const [message] = violations(page, without("scim_configurations", "organization_page"));
    expect(message).toContain("find scim_configurations {organizationId: eq, _id: range} sort {organizationId: 1, _id: 1}");
    expect(message).toContain("sso_link_unique {organizationId: 1, ssoConfigurationId: 1} cannot provide the sort");

    const byHash = find("scim_configurations", { tokenHash: "h" });
    expect(violations(byHash, without("scim_configurations", "token_hash_unique"))).toEqual([
      expect.stringContaining("find scim_configurations {tokenHash: eq}: _id_ {_id: 1} lacks the equality field(s) tokenHash"),
    ]);
  });

  it("fails an equality on a field no index leads with, even beside the tenant's field", () => {
    expect(violations(find("scim_configurations", { organizationId: "o", name: "okta" }, PAGE_SORT))).toEqual([
      expect.stringContaining("organization_page {organizationId: 1, _id: 1} lacks the equality field(s) name among its leading keys"),
    ]);
  });

  it("treats an equality on every key of a unique index as a point lookup, whatever else the filter says", () => {
    expect(violations(find("scim_configurations", { organizationId: "o", ssoConfigurationId: "s", name: "okta", enabled: { $ne: false } }))).toEqual([]);
    // Not unique, but two leading keys fixed: a lookup, the rest filtered on its few documents.
    const notUnique = withIndexes("scim_configurations", { key: { organizationId: 1, ssoConfigurationId: 1 }, name: "link" });
    expect(violations(find("scim_configurations", { organizationId: "o", ssoConfigurationId: "s", name: "okta" }), notUnique)).toEqual([]);
    // Only the tenant fixed: an equality the index lacks would scan the whole tenant.
    expect(violations(find("scim_configurations", { organizationId: "o", name: "okta" }), notUnique)).toHaveLength(1);
  });

  it("fails a sort the index cannot provide, and accepts the same sort reversed", () => {
    const keys = find("api_keys", { organizationId: "o" }, { createdAt: 1, _id: 1 });
    expect(violations(keys)).toEqual([expect.stringContaining("organization_created {organizationId: 1, createdAt: 1} cannot provide the sort {createdAt: 1, _id: 1}")]);
    const fixed = withIndexes("api_keys", { key: { organizationId: 1, createdAt: 1, _id: 1 }, name: "organization_created" });
    expect(violations(keys, fixed)).toEqual([]);
    expect(violations(find("api_keys", { organizationId: "o" }, { createdAt: -1, _id: -1 }), fixed)).toEqual([]);
    expect(violations(find("api_keys", { organizationId: "o" }, { createdAt: 1, _id: -1 }), fixed)).toEqual([expect.stringContaining("mixes directions")]);
    // A sort field fixed by an equality drops out of the sort.
    expect(violations(find("api_keys", { organizationId: "o", createdAt: new Date(0) }, { createdAt: 1, _id: 1 }), fixed)).toEqual([]);
  });

  it("wants equality, then sort, then range (ESR), and no unbound key before a range", () => {
    const query = find("events", { tenant: "t", at: { $gte: new Date(0) } }, { name: 1 });
    expect(violations(query, withIndexes("events", { key: { tenant: 1, at: 1, name: 1 }, name: "ers" }))).toEqual([
      expect.stringContaining("ers {tenant: 1, at: 1, name: 1} puts the range field at before the sort fields (ESR: equality, sort, range)"),
    ]);
    expect(violations(query, withIndexes("events", { key: { tenant: 1, name: 1, at: 1 }, name: "esr" }))).toEqual([]);
    const unsorted = find("events", { tenant: "t", at: { $lt: new Date(0) } });
    expect(violations(unsorted, withIndexes("events", { key: { tenant: 1, kind: 1, at: 1 }, name: "gap" }))).toEqual([
      expect.stringContaining("gap {tenant: 1, kind: 1, at: 1} has kind unbound before the range field at"),
    ]);
    expect(violations(unsorted, withIndexes("events", { key: { tenant: 1 }, name: "tenant" }))).toEqual([expect.stringContaining("tenant {tenant: 1} lacks the range field at")]);
  });

  it("counts $in as equality for the prefix, but not for a sort on a later key", () => {
    const scim = (filter: Document, sort?: Document) => violations(find("scim_configurations", filter, sort));
    expect(scim({ organizationId: { $in: ["a", "b"] } })).toEqual([]);
    expect(scim({ organizationId: { $in: ["a", "b"] } }, PAGE_SORT)).toEqual([]); // the $in field leads the sort
    expect(scim({ organizationId: { $in: ["a", "b"] } }, { _id: 1 })).toEqual([
      expect.stringContaining("organization_page {organizationId: 1, _id: 1} cannot provide the sort {_id: 1}: $in on organizationId returns one run per value"),
    ]);
    expect(scim({ organizationId: { $in: ["a"] } }, { _id: 1 })).toEqual([]); // one value is an equality
  });

  it("requires every $or branch to be covered, with the conditions beside the $or", () => {
    expect(violations(find("scim_configurations", { $or: [{ tokenHash: "h" }, { organizationId: "o", ssoConfigurationId: "s" }] }))).toEqual([]);
    expect(violations(find("scim_configurations", { $or: [{ tokenHash: "h" }, { name: "okta" }] }))).toEqual([
      expect.stringMatching(/^find scim_configurations \{name: eq\} \(one of 2 \$or branches\): .*lacks the equality field\(s\) name/),
    ]);
    expect(violations(find("scim_configurations", { organizationId: "o", $or: [{ ssoConfigurationId: "s" }, { _id: "x" }] }))).toEqual([]);
  });

  it("reports a full scan unless the collection is allowed one; a count without a filter reads metadata", () => {
    const listAll = find("api_keys", {}, { createdAt: 1, _id: 1 });
    const countAll = queriesOf("aggregate", "db", { aggregate: "api_keys", pipeline: [{ $match: {} }, { $group: { _id: 1, n: { $sum: 1 } } }] });
    const notRevoked = find("api_keys", { revokedAt: { $exists: false } });
    expect(violations([...listAll, ...countAll, ...notRevoked])).toEqual([
      "find api_keys {} sort {createdAt: 1, _id: 1}: a full scan: nothing in the filter bounds an index",
      "aggregate api_keys {}: a full scan: nothing in the filter bounds an index",
      "find api_keys {revokedAt: filter}: a full scan: nothing in the filter bounds an index",
    ]);
    expect(violations([...listAll, ...countAll, ...notRevoked], CATALOGUE, { allowFullScans: [{ collection: "api_keys", why: "admin CLI" }] })).toEqual([]);
    expect(violations(queriesOf("count", "db", { count: "api_keys" }))).toEqual([]);
    // An index walked whole in sort order is a full scan too.
    expect(violations(find("api_keys", { note: { $ne: "x" } }, { _id: 1 }))).toEqual([expect.stringContaining("a full scan")]);
  });

  it("lets residual predicates ($ne, $exists, $nor, unanchored or case-insensitive regex) filter a bounded scan", () => {
    const scim = (filter: Document) => violations(find("scim_configurations", filter, PAGE_SORT));
    expect(scim({ organizationId: "o", deletingSince: { $exists: false } })).toEqual([]);
    expect(scim({ organizationId: "o", name: { $ne: "x" }, $nor: [{ enabled: false }] })).toEqual([]);
    expect(scim({ organizationId: "o", name: /okta/ })).toEqual([]);
    expect(scim({ organizationId: "o", name: { $regex: "^ok", $options: "i" } })).toEqual([]);
    // An anchored, case-sensitive regex is a range: the index must have the field.
    expect(scim({ organizationId: "o", name: /^ok/ })).toEqual([expect.stringContaining("lacks the range field name")]);
    expect(violations(find("scim_configurations", { organizationId: "o", name: { $regex: "^ok" } }), withIndexes("scim_configurations", { key: { organizationId: 1, name: 1 }, name: "n" }))).toEqual([]);
  });

  it("counts $elemMatch and dotted paths by their dotted path", () => {
    const claims = withIndexes("sso_configurations", { key: { "claims.k": 1, "claims.v": 1 }, name: "claims" });
    expect(violations(find("sso_configurations", { claims: { $elemMatch: { k: "groups", v: "g" } } }), claims)).toEqual([]);
    expect(violations(find("sso_configurations", { "claims.k": "groups" }), claims)).toEqual([]);
    expect(violations(find("sso_configurations", { claims: { $elemMatch: { k: "groups" } } }))).toEqual([expect.stringContaining("lacks the equality field(s) claims.k")]);
  });

  it("does not use partial or sparse indexes, and reports each query shape once", () => {
    const partial = withIndexes("c", { key: { a: 1 }, name: "a", partialFilterExpression: { a: { $exists: true } } });
    expect(violations([...find("c", { a: 1 }), ...find("c", { a: 2 })], partial)).toEqual(["find c {a: eq}: _id_ {_id: 1} lacks the equality field(s) a among its leading keys"]);
    expect(violations(find("c", { a: 1 }), withIndexes("c", { key: { a: 1 }, name: "a", sparse: true }))).toHaveLength(1);
  });
});

describe("recordCommands on a real client (FerretDB or MONGODB_URI)", () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = new MongoClient(inject("mongoUri"), { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });

  it("refuses a client that does not monitor commands", () => {
    expect(() => recordCommands(new MongoClient(inject("mongoUri")))).toThrow(/monitorCommands: true/);
  });

  it("records what the driver sends, and the check judges it", async () => {
    const c = client.db(`t_${randomUUID().replaceAll("-", "")}`).collection<{ _id: string; [field: string]: unknown }>("scim_configurations");
    const recorder = recordCommands(client);
    await c.insertOne({ _id: "x", organizationId: "o", tokenHash: "h" });
    await c.find({ organizationId: "o", _id: { $gt: "a" } }).sort({ organizationId: 1, _id: 1 }).limit(26).toArray();
    await c.findOneAndUpdate({ _id: "x", organizationId: "o" }, { $set: { name: "n" } });
    await c.updateOne({ name: "n" }, { $set: { enabled: true } });
    await c.deleteOne({ tokenHash: "h" });
    await c.countDocuments({});
    recorder.stop();
    await c.findOne({ stopped: true });
    expect(recorder.commands.map((q) => [q.command, q.collection, q.filter, q.sort])).toEqual([
      ["find", "scim_configurations", { organizationId: "o", _id: { $gt: "a" } }, [["organizationId", 1], ["_id", 1]]],
      ["findAndModify", "scim_configurations", { _id: "x", organizationId: "o" }, []],
      ["update", "scim_configurations", { name: "n" }, []],
      ["delete", "scim_configurations", { tokenHash: "h" }, []],
      ["aggregate", "scim_configurations", {}, []],
    ]);
    expect(violations([...recorder.commands])).toEqual([
      expect.stringContaining("update scim_configurations {name: eq}:"),
      "aggregate scim_configurations {}: a full scan: nothing in the filter bounds an index",
    ]);
    recorder.clear();
    expect(recorder.commands).toEqual([]);
    await c.drop();
  });
});
