/**
 * Concurrent writes through the real /scim/v2 (scim.md, "Concurrency": no lost updates):
 * - 1,000 membership PATCHes on one group in flight together (50 at a time), adds and removes of
 *   distinct users in the forms Okta and Entra ID send, leave exactly the expected members;
 * - 50 PATCHes of one user at once: without If-Match every one lands; with If-Match exactly the
 *   ones whose version was current land and the others get 412.
 * The per-configuration rate limit is off here: it would answer most of these with 429.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";
import { BULK_REQUEST, inBatches, newClient, PATCH_OP, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

const IN_FLIGHT = 50;
/** Tests that write thousands of resources: FerretDB, which uses no index, needs far longer than the memory store. */
const LARGE_TIMEOUT_MS = 180_000;

/**
 * Membership changes in the big test, per store. FerretDB (the MongoDB-wire stand-in here) uses
 * no index, so every query scans and the cost of this test grows with the square of its size;
 * the memory store runs the full 1,000, FerretDB the same property at 200 (real MongoDB serves
 * these queries from the indexes the index-coverage test checks).
 */
const MEMBERSHIP_CHANGES = { memory: 1000, mongodb: 200 } as const;

describe.each(STORE_KINDS)("concurrency (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store, env: { SCIM_RATE_PER_SECOND: "0" } });
  });
  afterAll(() => server?.close());

  /** Creates `count` users in one Bulk request; their ids in order. */
  const createUsers = async (c: ScimClient, prefix: string, count: number): Promise<string[]> => {
    const res = await c.call("POST", "/Bulk", {
      schemas: [BULK_REQUEST],
      Operations: Array.from({ length: count }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER_SCHEMA], userName: `${prefix}-${i}` } })),
    });
    expect(res.status).toBe(200);
    return (res.body.Operations as { status: string; location: string }[]).map((o) => {
      expect(o.status).toBe("201");
      return o.location.split("/").pop()!;
    });
  };

  const changes = MEMBERSHIP_CHANGES[store];
  it(`${changes} concurrent membership PATCHes on one group leave exactly the expected members`, async () => {
    const c = await newClient(server);
    const users = await createUsers(c, "member", changes);
    const toAdd = users.slice(0, changes / 2);
    const toRemove = users.slice(changes / 2);
    const group = await c.createGroup({ displayName: "Busy", members: toRemove.map((value) => ({ value })) });
    expect(await c.memberIds(group.id)).toEqual([...toRemove].sort());

    // Four forms, interleaved: RFC/Okta add, Entra capitalised Add, Okta filter remove, Entra value-list Remove.
    const operationsFor = (i: number): unknown[] => {
      if (i % 2 === 0) {
        const value = toAdd[i / 2]!;
        return i % 4 === 0 ? [{ op: "add", path: "members", value: [{ value, display: `member-${i / 2}` }] }] : [{ op: "Add", path: "members", value: [{ value }] }];
      }
      const value = toRemove[(i - 1) / 2]!;
      return i % 4 === 1 ? [{ op: "remove", path: `members[value eq "${value}"]` }] : [{ op: "Remove", path: "members", value: [{ value }] }];
    };
    const statuses = await inBatches(
      Array.from({ length: changes }, (_, i) => async () => {
        const res = await c.call("PATCH", `/Groups/${group.id}?excludedAttributes=members`, { schemas: [PATCH_OP], Operations: operationsFor(i) });
        return res.status;
      }),
      IN_FLIGHT,
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await c.memberIds(group.id)).toEqual([...toAdd].sort());
    // Every change bumped the version once: none was lost.
    const final = await c.call("GET", `/Groups/${group.id}?excludedAttributes=members`);
    expect(final.body.meta.version).toBe(`W/"${1 + changes}"`);
    // Each user sees its group (or not) through the computed `groups`.
    const [added, removed] = await Promise.all([c.call("GET", `/Users/${toAdd[77]}`), c.call("GET", `/Users/${toRemove[77]}`)]);
    expect(added.body.groups.map((g: any) => g.value)).toEqual([group.id]);
    expect(removed.body.groups ?? []).toEqual([]);
  }, LARGE_TIMEOUT_MS);

  it("concurrent adds and removes of the same members converge to the last word of each user", async () => {
    const c = await newClient(server);
    const users = await createUsers(c, "flip", 40);
    const group = await c.createGroup({ displayName: "Flip" });
    // Per user: add, add again (idempotent), remove, remove again (a no-op) — all at once across users,
    // in order per user; every user ends removed except the ones added once more at the end.
    const perUser = (value: string, last: boolean) => async () => {
      for (const op of [
        { op: "add", path: "members", value: [{ value }] },
        { op: "add", path: "members", value: [{ value }] },
        { op: "remove", path: `members[value eq "${value}"]` },
        { op: "remove", path: `members[value eq "${value}"]` },
        ...(last ? [{ op: "add", path: "members", value: [{ value }] }] : []),
      ]) {
        const res = await c.call("PATCH", `/Groups/${group.id}?excludedAttributes=members`, { schemas: [PATCH_OP], Operations: [op] });
        expect(res.status).toBe(200);
      }
    };
    await inBatches(users.map((u, i) => perUser(u, i % 3 === 0)), IN_FLIGHT);
    expect(await c.memberIds(group.id)).toEqual(users.filter((_, i) => i % 3 === 0).sort());
  });

  it("50 concurrent PATCHes of one user without If-Match all land", async () => {
    const c = await newClient(server);
    const user = await c.createUser({ userName: "crowded" });
    const emails = Array.from({ length: 50 }, (_, i) => `mail-${i}@example.com`);
    const statuses = await Promise.all(
      emails.map(async (value) => (await c.call("PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: "emails", value: [{ value, type: "work" }] }] })).status),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = (await c.call("GET", `/Users/${user.id}`)).body;
    expect((after.emails as { value: string }[]).map((e) => e.value).sort()).toEqual([...emails].sort());
    expect(after.meta.version).toBe(`W/"${1 + 50}"`);

    // 50 concurrent replaces of one attribute: all land, the last writer's value stays.
    const titles = Array.from({ length: 50 }, (_, i) => `title-${i}`);
    const replaced = await Promise.all(
      titles.map(async (value) => (await c.call("PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value }] })).status),
    );
    expect(replaced.filter((s) => s !== 200)).toEqual([]);
    const final = (await c.call("GET", `/Users/${user.id}`)).body;
    expect(titles).toContain(final.title);
    expect(final.meta.version).toBe(`W/"${1 + 50 + 50}"`);
  });

  it("50 concurrent PATCHes with the same If-Match: exactly one lands, 49 get 412", async () => {
    const c = await newClient(server);
    const user = await c.createUser({ userName: "guarded", title: "start" });
    const version = user.meta.version as string;
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await c.call("PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: `writer-${i}` }] }, { "if-match": version });
        return { i, status: res.status, body: res.body };
      }),
    );
    const landed = results.filter((r) => r.status === 200);
    expect(landed).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(412);
      expect(r.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "412" });
    }
    const final = (await c.call("GET", `/Users/${user.id}`)).body;
    expect(final.title).toBe(`writer-${landed[0]!.i}`);
    expect(final.meta.version).not.toBe(version);
    expect(final.meta.version).toBe(landed[0]!.body.meta.version);
  });

  it("50 concurrent read-then-PATCH clients with If-Match: the ones whose version was current land, the rest get 412, none is lost", async () => {
    const c = await newClient(server);
    const user = await c.createUser({ userName: "optimistic", emails: [] });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const read = await c.call("GET", `/Users/${user.id}?attributes=emails`);
        const res = await c.call(
          "PATCH",
          `/Users/${user.id}`,
          { schemas: [PATCH_OP], Operations: [{ op: "add", path: "emails", value: [{ value: `client-${i}@example.com` }] }] },
          { "if-match": read.headers.get("etag")! },
        );
        return { i, status: res.status };
      }),
    );
    expect(outcomes.every((o) => o.status === 200 || o.status === 412)).toBe(true);
    const landed = outcomes.filter((o) => o.status === 200).map((o) => `client-${o.i}@example.com`);
    expect(landed.length).toBeGreaterThanOrEqual(1);
    const final = (await c.call("GET", `/Users/${user.id}`)).body;
    expect(((final.emails ?? []) as { value: string }[]).map((e) => e.value).sort()).toEqual(landed.sort());
    expect(final.meta.version).toBe(`W/"${1 + landed.length}"`);
  });
});
