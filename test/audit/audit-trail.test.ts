import { describe, expect, it } from "vitest";
import { MemoryAuditStore } from "../../src/adapters/memory/audit-log.js";
import { AUDIT_ACTION, type AuditContext, type AuditEntryRecord } from "../../src/domain/audit/audit-entry.js";
import { AuditRetention } from "../../src/domain/audit/audit-retention.js";
import { AuditTrail } from "../../src/domain/audit/audit-trail.js";
import { changedFields, changedScimAttributes } from "../../src/domain/audit/changed-fields.js";
import { timeOfId } from "../../src/domain/audit/time-bounds.js";
import { ManualClock } from "../support/manual-clock.js";

const ORG = "00000000-0000-4000-8000-000000000001";
// Ids never go back in time within a process (ids.ts), so the clocks here only move forward,
// from dates later than any real "now".
const CTX: AuditContext = { actor: { kind: "api_key", id: "key-1" }, requestId: "req-1", clientAddress: "192.0.2.7" };
const change = { organizationId: ORG, action: AUDIT_ACTION.scimUpdate, subjectType: "scim_configuration" as const, subjectId: "cfg-1", changedFields: ["enabled"] };

describe("AuditTrail", () => {
  it("stores one entry with who, what, when and where; its time is the time its id encodes", async () => {
    const store = new MemoryAuditStore();
    const clock = new ManualClock(new Date("2031-04-01T10:00:00.000Z"));
    const trail = new AuditTrail({ store, clock, onLost: () => expect.fail("nothing is lost") });
    await trail.record({ ...CTX, bulkOperation: 3 }, change);
    const [entry] = (await store.list(ORG, {}, { limit: 10, afterId: undefined, order: "desc" })).items;
    expect(entry).toEqual({
      id: expect.any(String),
      organizationId: ORG,
      createdAt: new Date("2031-04-01T10:00:00.000Z"),
      kind: "resource_change",
      actorKind: "api_key",
      actorId: "key-1",
      action: "scim_configuration.update",
      subjectType: "scim_configuration",
      subjectId: "cfg-1",
      requestId: "req-1",
      clientAddress: "192.0.2.7",
      changedFields: ["enabled"],
      scimConfigurationId: "",
      scimResourceId: "",
      bulkOperation: 3,
    } satisfies AuditEntryRecord);
    expect(timeOfId(entry!.id)).toEqual(entry!.createdAt);
  });

  it("an entry that cannot be stored is handed to onLost; the caller's change is not undone and record() does not throw", async () => {
    const failing = new (class extends MemoryAuditStore {
      override append(): Promise<void> {
        return Promise.reject(new Error("database down"));
      }
    })();
    const lost: [AuditEntryRecord, unknown][] = [];
    const trail = new AuditTrail({ store: failing, clock: new ManualClock(), onLost: (e, err) => lost.push([e, err]) });
    await expect(trail.record(CTX, change)).resolves.toBeUndefined();
    expect(lost).toHaveLength(1);
    expect(lost[0]![0]).toMatchObject({ action: "scim_configuration.update", requestId: "req-1" });
    expect((lost[0]![1] as Error).message).toBe("database down");
  });

  it("records a refused SCIM call at most once per configuration, reason and window", async () => {
    const store = new MemoryAuditStore();
    const clock = new ManualClock();
    const trail = new AuditTrail({ store, clock, onLost: () => expect.fail("nothing is lost"), refusalWindowMs: 60_000 });
    const cfg = { id: "cfg-1", organizationId: ORG };
    const scimCtx: AuditContext = { actor: { kind: "scim_configuration", id: "cfg-1" }, requestId: "r", clientAddress: "" };
    for (let i = 0; i < 5; i++) await trail.refused(scimCtx, cfg, "disabled");
    await trail.refused(scimCtx, cfg, "rate_limited");
    await trail.refused(scimCtx, { id: "cfg-2", organizationId: ORG }, "disabled");
    clock.advance(59_999);
    await trail.refused(scimCtx, cfg, "disabled");
    clock.advance(1);
    await trail.refused(scimCtx, cfg, "disabled");
    const actions = (await store.list(ORG, {}, { limit: 50, afterId: undefined, order: "asc" })).items.map((e) => `${e.subjectId} ${e.action} ${e.kind}`);
    expect(actions).toEqual([
      "cfg-1 scim.request.refused.disabled credential_access",
      "cfg-1 scim.request.refused.rate_limited credential_access",
      "cfg-2 scim.request.refused.disabled credential_access",
      "cfg-1 scim.request.refused.disabled credential_access",
    ]);
  });

  it("retention deletes what is older than the configured days, nothing newer", async () => {
    const store = new MemoryAuditStore();
    const clock = new ManualClock(new Date("2032-01-01T00:00:00.000Z"));
    const trail = new AuditTrail({ store, clock, onLost: () => expect.fail("nothing is lost") });
    await trail.record(CTX, { ...change, subjectId: "old" });
    clock.advance(10 * 86_400_000);
    await trail.record(CTX, { ...change, subjectId: "new" });
    clock.advance(85 * 86_400_000);
    const retention = new AuditRetention({ store, clock, retentionDays: 90 });
    expect(await retention.sweep()).toBe(1);
    expect((await store.list(ORG, {}, { limit: 10, afterId: undefined, order: "asc" })).items.map((e) => e.subjectId)).toEqual(["new"]);
  });
});

describe("changed fields: names only", () => {
  it("names the record fields that differ, by their API names", () => {
    const before = { name: "a", enabled: true, secretHash: "x", claims: { a: "1" } };
    const after = { name: "a", enabled: false, secretHash: "y", claims: { a: "1" } };
    expect(changedFields(before, after, { name: "name", enabled: "enabled", secretHash: "client_secret", claims: "claims" })).toEqual(["enabled", "client_secret"]);
  });

  it("names SCIM attributes, with an extension's attributes under its storage key", () => {
    const before = { userName: "a", name: { givenName: "A" }, active: true, enterprise: { department: "R&D", costCenter: "1" } };
    const after = { userName: "a", name: { givenName: "B" }, emails: [{ value: "a@example.com" }], enterprise: { department: "Sales", costCenter: "1" } };
    expect(changedScimAttributes(before, after)).toEqual(["active", "emails", "enterprise.department", "name"]);
  });
});
