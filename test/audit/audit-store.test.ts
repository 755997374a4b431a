import { randomUUID } from "node:crypto";
import type { CommandStartedEvent } from "mongodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMongoStores, type MongoStores } from "../../src/adapters/mongo/connection.js";
import { INDEXES } from "../../src/adapters/mongo/indexes.js";
import { AUDIT_ACTION, type AuditEntryRecord, type AuditSubjectType } from "../../src/domain/audit/audit-entry.js";
import { idBoundOf, timeOfId } from "../../src/domain/audit/time-bounds.js";
import { newId } from "../../src/domain/ids.js";
import type { Stores } from "../../src/domain/ports.js";
import { servedByIndex, type SentQuery } from "../support/query-index-check.js";
import { openTestStores, STORE_KINDS } from "../support/test-server.js";

const T0 = Date.parse("2026-03-01T00:00:00.000Z");
let sequence = 0;

/** A UUIDv7 of any time (newId never goes back in time, by design, so tests make their own). */
function idAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, "0") + "7" + (sequence++ % 4096).toString(16).padStart(3, "0") + "8" + randomUUID().replaceAll("-", "").slice(0, 15);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function entry(org: string, n: number, over: Partial<AuditEntryRecord> = {}): AuditEntryRecord {
  const id = idAt(T0 + n * 1000);
  return {
    id,
    organizationId: org,
    createdAt: timeOfId(id),
    kind: "resource_change",
    actorKind: "scim_configuration",
    actorId: "actor-a",
    action: AUDIT_ACTION.userCreate,
    subjectType: "user",
    subjectId: `subject-${n % 3}`,
    requestId: `req-${n}`,
    clientAddress: "127.0.0.1",
    changedFields: [],
    scimConfigurationId: "",
    scimResourceId: "",
    bulkOperation: 0,
    ...over,
  };
}

/** Every page of a list, walked through its cursors. */
async function walk(stores: Stores, org: string, filter: Parameters<Stores["audit"]["list"]>[1], order: "asc" | "desc", limit: number): Promise<string[]> {
  const seen: string[] = [];
  let afterId: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await stores.audit.list(org, filter, { limit, afterId, order });
    seen.push(...page.items.map((e) => e.requestId));
    if (page.nextToken === "") return seen;
    afterId = page.items[page.items.length - 1]!.id;
  }
  throw new Error("too many pages");
}

describe.each(STORE_KINDS)("audit store contract (%s)", (kind) => {
  let stores: Stores;
  const org = randomUUID();
  const other = randomUUID();
  const entries: AuditEntryRecord[] = [];
  beforeAll(async () => {
    stores = await openTestStores(kind);
    for (let n = 0; n < 30; n++) {
      const types: AuditSubjectType[] = ["user", "group", "scim_configuration"];
      const e = entry(org, n, { actorId: n % 2 === 0 ? "actor-a" : "actor-b", subjectType: types[n % 3]!, changedFields: n % 5 === 0 ? ["name", "active"] : [] });
      entries.push(e);
      await stores.audit.append(e);
    }
    await stores.audit.append(entry(other, 5, { requestId: "other-org" }));
  });
  afterAll(() => stores.close());

  it("reads an entry back equal, only within its organization", async () => {
    const e = entries[5]!;
    expect(await stores.audit.get(org, e.id)).toEqual(e);
    expect(await stores.audit.get(other, e.id)).toBeUndefined();
    const many = await stores.audit.getMany(org, [entries[1]!.id, entries[2]!.id, randomUUID()]);
    expect(many.map((x) => x.requestId).sort()).toEqual(["req-1", "req-2"]);
  });

  it("pages newest first and oldest first without gaps or repeats", async () => {
    const all = entries.map((e) => e.requestId);
    expect(await walk(stores, org, {}, "desc", 7)).toEqual([...all].reverse());
    expect(await walk(stores, org, {}, "asc", 7)).toEqual(all);
  });

  it("filters by actor, subject, type and their combination, with several values each", async () => {
    const ids = (f: (e: AuditEntryRecord) => boolean) => entries.filter(f).map((e) => e.requestId).reverse();
    expect(await walk(stores, org, { actorIds: ["actor-b"] }, "desc", 4)).toEqual(ids((e) => e.actorId === "actor-b"));
    expect(await walk(stores, org, { subjectIds: ["subject-1", "subject-2"] }, "desc", 4)).toEqual(ids((e) => e.subjectId !== "subject-0"));
    expect(await walk(stores, org, { subjectTypes: ["group"] }, "desc", 3)).toEqual(ids((e) => e.subjectType === "group"));
    expect(await walk(stores, org, { actorIds: ["actor-a"], subjectTypes: ["user", "group"] }, "desc", 2)).toEqual(
      ids((e) => e.actorId === "actor-a" && e.subjectType !== "scim_configuration"),
    );
    expect(await walk(stores, org, { actorIds: ["nobody"] }, "desc", 5)).toEqual([]);
  });

  it("takes a time range as an id range: from inclusive, to exclusive", async () => {
    const from = idBoundOf(new Date(T0 + 10_000));
    const to = idBoundOf(new Date(T0 + 20_000));
    const expected = entries.slice(10, 20).map((e) => e.requestId);
    expect(await walk(stores, org, { fromId: from, toId: to }, "asc", 3)).toEqual(expected);
    expect(await walk(stores, org, { fromId: from, toId: to }, "desc", 3)).toEqual([...expected].reverse());
  });

  it("expires entries created before a cutoff, and only those", async () => {
    const org2 = randomUUID();
    const old = entry(org2, -100_000);
    const recent = entry(org2, 50);
    await stores.audit.append(old);
    await stores.audit.append(recent);
    expect(await stores.audit.deleteCreatedBefore(new Date(T0 - 1000))).toBe(1);
    expect(await stores.audit.get(org2, old.id)).toBeUndefined();
    expect(await stores.audit.get(org2, recent.id)).toEqual(recent);
  });
});

describe("audit_log on FerretDB: indexes and retention", () => {
  let stores: MongoStores;
  const sent: SentQuery[] = [];
  const database = `t_${randomUUID().replaceAll("-", "")}`;
  beforeAll(async () => {
    stores = await createMongoStores({
      uri: inject("mongoUri"),
      database,
      operationTimeoutMs: 5000,
      clientOptions: { monitorCommands: true },
    });
    stores.client.on("commandStarted", (e: CommandStartedEvent) => {
      const c = e.command as Record<string, any>;
      if (c.find === "audit_log") sent.push({ collection: "audit_log", filter: c.filter ?? {}, sort: c.sort });
      if (c.delete === "audit_log") for (const d of c.deletes) sent.push({ collection: "audit_log", filter: d.q });
    });
  });
  afterAll(() => stores.close());

  it("serves every query the adapter sends by an index of INDEXES.audit_log or _id", async () => {
    const org = randomUUID();
    for (let n = 0; n < 5; n++) await stores.audit.append(entry(org, n));
    const bound = { fromId: idBoundOf(new Date(T0)), toId: idBoundOf(new Date(T0 + 3000)) };
    const filters = [{}, { actorIds: ["actor-a"] }, { actorIds: ["a", "b"] }, { subjectIds: ["subject-1"] }, { subjectTypes: ["user" as const] }, bound, { ...bound, actorIds: ["actor-a"] }];
    for (const filter of filters) {
      for (const order of ["asc", "desc"] as const) {
        const first = await stores.audit.list(org, filter, { limit: 2, afterId: undefined, order });
        await stores.audit.list(org, filter, { limit: 2, afterId: first.items[1]?.id, order });
      }
    }
    await stores.audit.get(org, newId());
    await stores.audit.getMany(org, [newId(), newId()]);
    await stores.audit.deleteCreatedBefore(new Date(T0 - 86_400_000));
    expect(sent.length).toBeGreaterThan(30);
    for (const q of sent) expect(servedByIndex(q, INDEXES.audit_log!), JSON.stringify(q)).toBeDefined();
  });

  it("the index check itself refuses a query no index serves", () => {
    const indexes = INDEXES.audit_log!;
    expect(servedByIndex({ collection: "audit_log", filter: { organizationId: "o" }, sort: { _id: -1 } }, indexes)).toBe("organization_page");
    expect(servedByIndex({ collection: "audit_log", filter: { organizationId: "o", requestId: "r" }, sort: { createdAt: -1 } }, indexes)).toBeUndefined();
    expect(servedByIndex({ collection: "audit_log", filter: { requestId: "r" }, sort: { _id: 1 } }, indexes)).toBeUndefined();
    expect(servedByIndex({ collection: "audit_log", filter: { _id: { $lt: "x" } } }, indexes)).toBe("_id_");
  });

  it("has no TTL index on FerretDB (NotImplemented), so retention rests on the sweep", async () => {
    // FerretDB v1.24 refuses expireAfterSeconds; against a real MongoDB (MONGODB_URI) the TTL index exists.
    const names = (await stores.client.db(database).collection("audit_log").listIndexes().toArray()).map((i) => i.name);
    if (process.env.MONGODB_URI) expect(stores.auditTtl).toBe(true);
    else expect(stores.auditTtl).toBe(false);
    expect(names).toContain("organization_actor_page");
  });
});
