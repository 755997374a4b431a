/**
 * Cursor paging (draft-ietf-scim-cursor-pagination; scim.md "Lists") through the real /scim/v2:
 * walking hundreds of users 50 at a time while other clients create and delete users never skips or
 * repeats a user that existed throughout; nextCursor / previousCursor; totalResults on cursor
 * pages; malformed and foreign cursors are 400 invalidCursor; count above 1,000 is clamped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";
import { BULK_REQUEST, expectScimError, inBatches, newClient, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

const PAGE = 50;
/** Tests that write thousands of resources: FerretDB, which uses no index, needs far longer than the memory store. */
const LARGE_TIMEOUT_MS = 180_000;

/**
 * Users in the walk test, per store: FerretDB uses no index, so every query scans and creating
 * users costs more the more there are; the memory store walks 600, FerretDB 200.
 */
const WALK_USERS = { memory: 600, mongodb: 200 } as const;

describe.each(STORE_KINDS)("cursor walk (%s)", (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store, env: { SCIM_RATE_PER_SECOND: "0" } });
  });
  afterAll(() => server?.close());

  /** Creates users in Bulk requests of at most 1,000; ids in creation order. */
  const createUsers = async (c: ScimClient, prefix: string, count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start);
      const res = await c.call("POST", "/Bulk", {
        schemas: [BULK_REQUEST],
        Operations: Array.from({ length: n }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `${prefix}-${start + i}` } })),
      });
      expect(res.status).toBe(200);
      for (const op of res.body.Operations) {
        expect(op.status).toBe("201");
        ids.push(op.location.split("/").pop());
      }
    }
    return ids;
  };

  const page = async (c: ScimClient, query: string) => {
    const res = await c.call("GET", `/Users?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const idsOf = (body: any): string[] => (body.Resources as { id: string }[]).map((r) => r.id);

  it(`walks ${WALK_USERS[store]} users while others create and delete: none that existed throughout is skipped or repeated`, async () => {
    const c = await newClient(server);
    const initial = await createUsers(c, "walk", WALK_USERS[store]);
    // Deleted during the walk: every fifth user, ahead of and behind the cursor alike.
    const doomed = new Set(initial.filter((_, i) => i % 5 === 2));
    const stable = initial.filter((id) => !doomed.has(id));
    const pendingDeletes = [...doomed];
    const created: string[] = [];
    let churnDone = false;

    // A background client creating and deleting while the walk goes on.
    const churn = (async () => {
      let n = 0;
      while (pendingDeletes.length > 0) {
        const batch = pendingDeletes.splice(0, 5);
        await Promise.all([
          ...batch.map(async (id) => expect((await c.call("DELETE", `/Users/${id}`)).status).toBe(204)),
          (async () => created.push((await c.createUser({ userName: `newcomer-${n++}` })).id))(),
        ]);
      }
      churnDone = true;
    })();

    const seen: string[] = [];
    let cursor = "";
    let pages = 0;
    for (;;) {
      const body = await page(c, `cursor=${encodeURIComponent(cursor)}&count=${PAGE}`);
      pages++;
      expect(body.itemsPerPage).toBe(body.Resources.length);
      expect(body.Resources.length).toBeLessThanOrEqual(PAGE);
      expect(typeof body.totalResults).toBe("number");
      expect(body.startIndex).toBeUndefined();
      seen.push(...idsOf(body));
      // The user the next cursor points after may go away before the next page is read.
      const last = idsOf(body).at(-1);
      if (last && pages % 3 === 0 && !doomed.has(last) && !stable.includes(last)) await c.call("DELETE", `/Users/${last}`);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
      // Give the churn a turn between pages, so changes land mid-walk.
      await new Promise((r) => setTimeout(r, 2));
    }
    await churn;
    expect(churnDone).toBe(true);
    expect(pages).toBeGreaterThanOrEqual((WALK_USERS[store] * 0.8) / PAGE);

    expect(new Set(seen).size, "no user is repeated").toBe(seen.length);
    const seenSet = new Set(seen);
    expect(stable.filter((id) => !seenSet.has(id)), "no stable user is skipped").toEqual([]);
    // Anything else seen was created or deleted during the walk.
    const known = new Set([...initial, ...created]);
    expect(seen.filter((id) => !known.has(id))).toEqual([]);
    // Creation order: ids are time-ordered.
    expect(seen).toEqual([...seen].sort());
  }, LARGE_TIMEOUT_MS);

  describe("nextCursor, previousCursor, totalResults and count", () => {
    let c: ScimClient;
    let all: string[];
    beforeAll(async () => {
      c = await newClient(server);
      all = await createUsers(c, "pages", 120);
    });

    it("an empty cursor starts a walk; nextCursor is absent on the last page; totalResults on every page", async () => {
      const first = await page(c, "cursor=&count=50");
      expect(first.totalResults).toBe(120);
      expect(idsOf(first)).toEqual(all.slice(0, 50));
      expect(first.previousCursor).toBeUndefined();
      expect(typeof first.nextCursor).toBe("string");
      const second = await page(c, `cursor=${first.nextCursor}&count=50`);
      expect(idsOf(second)).toEqual(all.slice(50, 100));
      expect(second.totalResults).toBe(120);
      const third = await page(c, `cursor=${second.nextCursor}&count=50`);
      expect(idsOf(third)).toEqual(all.slice(100));
      expect(third.nextCursor).toBeUndefined();

      // previousCursor leads back to the page before.
      expect(typeof second.previousCursor).toBe("string");
      expect(idsOf(await page(c, `cursor=${second.previousCursor}&count=50`))).toEqual(all.slice(0, 50));
      expect(idsOf(await page(c, `cursor=${third.previousCursor}&count=50`))).toEqual(all.slice(50, 100));
    });

    it("cursor pages carry the filter the client resends; POST /.search takes a cursor too", async () => {
      const filter = encodeURIComponent('userName sw "pages-1"');
      const expected = all.filter((_, i) => String(i).startsWith("1"));
      const first = await page(c, `filter=${filter}&cursor=&count=10`);
      expect(first.totalResults).toBe(expected.length);
      const second = await page(c, `filter=${filter}&cursor=${first.nextCursor}&count=10`);
      const rest = second.nextCursor ? idsOf(await page(c, `filter=${filter}&cursor=${second.nextCursor}&count=100`)) : [];
      expect([...idsOf(first), ...idsOf(second), ...rest]).toEqual(expected);

      const search = await c.call("POST", "/Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], cursor: "", count: 7 });
      expect(search.status).toBe(200);
      expect(idsOf(search.body)).toEqual(all.slice(0, 7));
      const next = await c.call("POST", "/Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], cursor: search.body.nextCursor, count: 7 });
      expect(idsOf(next.body)).toEqual(all.slice(7, 14));
    });

    // Clamping happens in the list parameters, before any store: one store shows it (on FerretDB,
    // 1,005 users cost minutes of scans and show nothing more).
    if (store === "memory") it("count above 1,000 is clamped to 1,000; count=0 gives totalResults only", async () => {
      const many = await newClient(server);
      await createUsers(many, "clamp", 1005);
      const cursorPage = await page(many, "cursor=&count=5000");
      expect(cursorPage.Resources).toHaveLength(1000);
      expect(cursorPage.totalResults).toBe(1005);
      expect(typeof cursorPage.nextCursor).toBe("string");
      const indexPage = await page(many, "startIndex=1&count=1001");
      expect(indexPage.Resources).toHaveLength(1000);
      const empty = await page(c, "cursor=&count=0");
      expect(empty).toMatchObject({ totalResults: 120, Resources: [] });
    }, LARGE_TIMEOUT_MS);

    it("malformed and foreign cursors are 400 invalidCursor", async () => {
      const first = await page(c, "cursor=&count=10");
      const other = await newClient(server);
      await createUsers(other, "other", 20);
      const foreign = (await page(other, "cursor=&count=10")).nextCursor as string;
      const groupsCursor = await (async () => {
        for (let i = 0; i < 3; i++) await c.createGroup({ displayName: `g${i}` });
        return (await c.call("GET", "/Groups?cursor=&count=1")).body.nextCursor as string;
      })();
      expect(typeof groupsCursor).toBe("string");
      const bad = [
        "not a cursor!",
        "%%%",
        "AAAA",
        Buffer.from("c1:a:not-a-uuid").toString("base64url"),
        Buffer.from(`c9:a:${all[3]}`).toString("base64url"),
        "x".repeat(500),
        (first.nextCursor as string).slice(0, -2),
        foreign,
        groupsCursor,
      ];
      for (const cursor of bad) {
        expectScimError(await c.call("GET", `/Users?cursor=${encodeURIComponent(cursor)}&count=10`), 400, "invalidCursor");
      }
      expectScimError(await c.call("POST", "/Users/.search", { cursor: 42 }), 400, "invalidCursor");
      // The other configuration's own cursor works there.
      expect((await page(other, `cursor=${foreign}&count=10`)).Resources).toHaveLength(10);
    });

    it("cursor and startIndex together, or cursor with sortBy, are refused", async () => {
      expectScimError(await c.call("GET", "/Users?cursor=&startIndex=2"), 400, "invalidValue");
      expectScimError(await c.call("GET", "/Users?cursor=&sortBy=userName"), 400, "invalidValue");
    });
  });

  it("walking while the whole tail is deleted ends cleanly", async () => {
    const c = await newClient(server);
    const ids = await createUsers(c, "tail", 30);
    const first = await page(c, "cursor=&count=10");
    await inBatches(ids.slice(10).map((id) => async () => expect((await c.call("DELETE", `/Users/${id}`)).status).toBe(204)), 10);
    const next = await page(c, `cursor=${first.nextCursor}&count=10`);
    expect(next.Resources).toEqual([]);
    expect(next.nextCursor).toBeUndefined();
    expect(next.totalResults).toBe(10);
  });
});
