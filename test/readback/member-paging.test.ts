import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "../support/clients.js";
import { createScimTenant, scim, type ScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const COUNT = 250;

/** Every page of a list RPC over Connect JSON, the next token passed as the SDKs do (in the query). */
async function walk(server: TestServer, service: string, method: string, body: Record<string, unknown>, items: string, key: string): Promise<{ pages: number[]; rows: any[] }> {
  const pages: number[] = [];
  const rows: any[] = [];
  let token = "";
  for (let i = 0; i < 50; i++) {
    const query = token === "" ? "" : `?token=${encodeURIComponent(token)}`;
    const res = await fetch(`${server.baseUrl}/gitpod.v1.${service}/${method}${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    expect(res.status, JSON.stringify(json)).toBe(200);
    pages.push(json[items].length);
    rows.push(...json[items]);
    token = json.pagination.nextToken;
    if (token === "") return { pages, rows };
  }
  throw new Error("too many pages");
}

describe(`paging over ${COUNT} provisioned members and their audit entries`, () => {
  let server: TestServer;
  let tenant: ScimTenant;
  let organizationId: string;
  let key: string;
  /** Names in creation order: shuffled, so name order and join order differ. */
  const names = Array.from({ length: COUNT }, (_, i) => `Person ${String((i * 97) % COUNT).padStart(3, "0")}`);

  beforeAll(async () => {
    server = await startTestServer();
    organizationId = randomUUID();
    key = await server.key("admin", organizationId);
    tenant = await createScimTenant(server, { organizationId, adminKey: key });
    const created = await scim(server, tenant.token, "POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: names.map((name, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER], userName: `p${i}@example.com`, displayName: name } })),
    });
    expect(created.body.Operations.every((o: { status: string }) => o.status === "201")).toBe(true);
    // Every tenth person suspended.
    const ids = created.body.Operations.map((o: { location: string }) => o.location.split("/").pop());
    const suspended = await scim(server, tenant.token, "POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: ids.filter((_: string, i: number) => i % 10 === 0).map((id: string) => ({ method: "PATCH", path: `/Users/${id}`, data: { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] } })),
    });
    expect(suspended.body.Operations).toHaveLength(COUNT / 10);
  }, 60_000);
  afterAll(() => server.close());

  it("ListMembers pages by name with query tokens: 100 + 100 + 50, each member once, in name order", async () => {
    const { pages, rows } = await walk(server, "OrganizationService", "ListMembers", { organizationId, pagination: { pageSize: 100 } }, "members", key);
    expect(pages).toEqual([100, 100, 50]);
    expect(rows.map((m) => m.fullName)).toEqual([...names].sort());
    expect(new Set(rows.map((m) => m.userId)).size).toBe(COUNT);
  });

  it("ListMembers pages by date joined, newest first, and by status", async () => {
    const byDate = await walk(server, "OrganizationService", "ListMembers", { organizationId, pagination: { pageSize: 100 }, sort: { field: "SORT_FIELD_DATE_JOINED", order: "SORT_ORDER_DESC" } }, "members", key);
    expect(byDate.rows.map((m) => m.fullName)).toEqual([...names].reverse());
    const suspended = await walk(server, "OrganizationService", "ListMembers", { organizationId, pagination: { pageSize: 7 }, filter: { statuses: ["USER_STATUS_SUSPENDED"] }, count: { include: true } }, "members", key);
    expect(suspended.pages).toEqual([7, 7, 7, 4]);
    expect(suspended.rows.map((m) => m.fullName)).toEqual(names.filter((_, i) => i % 10 === 0).sort());
    const first = await postJson(server.baseUrl, "ListMembers", { organizationId, filter: { statuses: ["USER_STATUS_SUSPENDED"] }, count: { include: true } }, key);
    expect(first.json.count).toEqual({ value: COUNT / 10, relation: "COUNT_RESPONSE_RELATION_EQ" });
  });

  it("ListAuditLogs pages every entry once, newest first; ascending gives the reverse", async () => {
    const filter = { actorIds: [tenant.scimConfigurationId] };
    const desc = await walk(server, "EventService", "ListAuditLogs", { filter, pagination: { pageSize: 100 } }, "entries", key);
    expect(desc.pages).toEqual([100, 100, 75]);
    const times = desc.rows.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(desc.rows.filter((e) => e.action === "scim.user.create")).toHaveLength(COUNT);
    const asc = await walk(server, "EventService", "ListAuditLogs", { filter, pagination: { pageSize: 60 }, sort: { field: "createdAt", order: "SORT_ORDER_ASC" } }, "entries", key);
    expect(asc.rows.map((e) => e.id)).toEqual(desc.rows.map((e) => e.id).reverse());
  });
});
