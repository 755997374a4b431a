import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryAuditStore } from "../../src/adapters/memory/audit-log.js";
import { MemoryMemberStore } from "../../src/adapters/memory/members.js";
import { OrderedKeys } from "../../src/adapters/memory/ordered-keys.js";
import { AUDIT_ACTION, type AuditEntryRecord } from "../../src/domain/audit/audit-entry.js";
import { timeOfId } from "../../src/domain/audit/time-bounds.js";
import { newId } from "../../src/domain/ids.js";
import { memberNameKey, type MemberListRequest } from "../../src/domain/provisioning/member-list.js";
import type { MemberRecord, MemberStatus } from "../../src/domain/provisioning/records.js";

const ORG = randomUUID();

function member(i: number, status: MemberStatus): MemberRecord {
  const fullName = `Person ${(i * 7919) % 1_000_003}`;
  const now = new Date();
  return { id: newId(now), organizationId: ORG, email: `p${i}@example.com`, emailKey: `p${i}@example.com`, fullName, nameKey: memberNameKey(fullName), status, loginProvider: "cfg", createdAt: now, updatedAt: now, formerIdentities: [] };
}

function entry(i: number): AuditEntryRecord {
  const id = newId();
  return {
    id,
    organizationId: ORG,
    createdAt: timeOfId(id),
    kind: "resource_change",
    actorKind: "scim_configuration",
    // One rare actor: every 10,000th entry.
    actorId: i % 10_000 === 0 ? "rare-actor" : "busy-actor",
    action: AUDIT_ACTION.userCreate,
    subjectType: "user",
    subjectId: `s${i}`,
    requestId: `r${i}`,
    clientAddress: "",
    changedFields: [],
    scimConfigurationId: "",
    scimResourceId: "",
    bulkOperation: 0,
  };
}

/** Counts the keys the ordered-key indexes hand out: what a page reads. */
function countKeysRead(): () => number {
  let read = 0;
  const after = OrderedKeys.prototype.after;
  const before = OrderedKeys.prototype.before;
  vi.spyOn(OrderedKeys.prototype, "after").mockImplementation(function (this: OrderedKeys, ...args) {
    const keys = after.apply(this, args);
    read += keys.length;
    return keys;
  });
  vi.spyOn(OrderedKeys.prototype, "before").mockImplementation(function (this: OrderedKeys, ...args) {
    const keys = before.apply(this, args);
    read += keys.length;
    return keys;
  });
  return () => read;
}

async function median(f: () => Promise<unknown>, runs = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/**
 * ListMembers and ListAuditLogs pages on the memory store walk ordered keys from the cursor, so
 * a page reads about a page of keys (at most one 64-key chunk per index it merges), at 1,000 rows
 * and at 100,000 alike: the keys read are counted, and the time is compared.
 */
describe("list pages on the memory store do not scan", () => {
  afterEach(() => vi.restoreAllMocks());

  it("ListMembers: by name, by date, by a rare status, from the middle of the list, at 1,000 and 100,000 members", async () => {
    const readAt: Record<number, number[]> = {};
    const timeAt: Record<number, number> = {};
    for (const size of [1_000, 100_000]) {
      const store = new MemoryMemberStore();
      // 0.05% suspended: a status filter must not walk the active ones.
      for (let i = 0; i < size; i++) await store.create(member(i, i % 2000 === 0 ? "suspended" : "active"));
      const requests: MemberListRequest[] = [
        { filter: {}, sort: { field: "name", order: "asc" }, limit: 25 },
        { filter: {}, sort: { field: "memberSince", order: "desc" }, limit: 25 },
        { filter: { statuses: ["suspended", "left"] }, sort: { field: "name", order: "asc" }, limit: 25 },
      ];
      const middle = (await store.list(ORG, { filter: {}, sort: { field: "name", order: "asc" }, limit: size / 2 })).items.at(-1)!;
      requests.push({ filter: {}, sort: { field: "name", order: "desc" }, limit: 100, after: middle });
      const read = countKeysRead();
      readAt[size] = [];
      for (const request of requests) {
        const before = read();
        const page = await store.list(ORG, request);
        readAt[size].push(read() - before);
        expect(page.items.length).toBe(Math.min(request.limit, request.filter.statuses ? Math.ceil(size / 2000) : request.limit));
      }
      vi.restoreAllMocks();
      timeAt[size] = await median(() => Promise.all(requests.map((r) => store.list(ORG, r))));
    }
    // Unfiltered pages read the same keys at both sizes (a chunk, or the page when it is larger);
    // the rare status reads exactly its members (1, then 50), none of the active ones.
    expect([readAt[1_000]![0], readAt[1_000]![1], readAt[1_000]![3]]).toEqual([readAt[100_000]![0], readAt[100_000]![1], readAt[100_000]![3]]);
    expect([readAt[1_000]![2], readAt[100_000]![2]]).toEqual([1, 50]);
    for (const n of readAt[100_000]!) expect(n).toBeLessThanOrEqual(101 + 64);
    expect(timeAt[100_000]!).toBeLessThan(timeAt[1_000]! * 5 + 2);
  }, 120_000);

  it("ListAuditLogs: newest first, a page deep in, and a rare actor, at 1,000 and 100,000 entries", async () => {
    const readAt: Record<number, number[]> = {};
    const timeAt: Record<number, number> = {};
    for (const size of [1_000, 100_000]) {
      const store = new MemoryAuditStore();
      const ids: string[] = [];
      for (let i = 0; i < size; i++) {
        const e = entry(i);
        ids.push(e.id);
        await store.append(e);
      }
      const pages = [
        () => store.list(ORG, {}, { limit: 25, afterId: undefined, order: "desc" }),
        () => store.list(ORG, {}, { limit: 100, afterId: ids[Math.floor(size / 2)], order: "desc" }),
        () => store.list(ORG, { actorIds: ["rare-actor"] }, { limit: 25, afterId: undefined, order: "desc" }),
        () => store.list(ORG, { subjectTypes: ["user"], actorIds: ["busy-actor"] }, { limit: 25, afterId: undefined, order: "asc" }),
      ];
      const read = countKeysRead();
      readAt[size] = [];
      for (const page of pages) {
        const before = read();
        await page();
        readAt[size].push(read() - before);
      }
      vi.restoreAllMocks();
      timeAt[size] = await median(() => Promise.all(pages.map((p) => p())));
    }
    // The rare actor's index holds only its entries (1, then 10): they are all that is read.
    expect([readAt[1_000]![0], readAt[1_000]![1], readAt[1_000]![3]]).toEqual([readAt[100_000]![0], readAt[100_000]![1], readAt[100_000]![3]]);
    expect([readAt[1_000]![2], readAt[100_000]![2]]).toEqual([1, 10]);
    for (const n of readAt[100_000]!) expect(n).toBeLessThanOrEqual(101 + 64);
    expect(timeAt[100_000]!).toBeLessThan(timeAt[1_000]! * 5 + 2);
  }, 120_000);
});
