import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../src/domain/errors.js";
import { newId } from "../../src/domain/ids.js";
import type { ListQuery, ListResult } from "../../src/domain/provisioning/list-query.js";
import type { MemberFilter } from "../../src/domain/provisioning/ports.js";
import type { MemberRecord, ScimUserRecord } from "../../src/domain/provisioning/records.js";
import type { Stores } from "../../src/domain/ports.js";
import { parseFilter } from "../../src/domain/scim/filter.js";
import { GROUP_RESOURCE, USER_RESOURCE } from "../../src/domain/scim/schema.js";
import { resolveSortBy, type SortOrder } from "../../src/domain/scim/search-form.js";
import { openTestStores, STORE_KINDS } from "../support/test-server.js";
import { at, groupRecord, memberRecord, newScope, T0, userRecord, userSet, type Scope } from "./scim-fixtures.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/**
 * One contract for the SCIM wing's stores, two adapters: the memory store must behave exactly as
 * MongoDB (FerretDB v1.24 here) does, and both as the ports say. Expectations are written out by
 * hand from the fixtures, not computed by either adapter's code.
 */
describe.each(STORE_KINDS)("SCIM store contract (%s)", (kind) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openTestStores(kind);
  });
  afterAll(async () => {
    await stores.close();
  });

  const names = (r: ListResult<ScimUserRecord>) => r.items.map((u) => u.attributes["userName"]);
  const indexPage = (startIndex = 1, count = 1000): ListQuery["page"] => ({ kind: "index", startIndex, count });
  const listUsers = (scope: Scope, filter?: string, sort?: { by: string; order: SortOrder }, page = indexPage()) =>
    stores.scimUsers.list(scope.scimConfigurationId, {
      ...(filter === undefined ? {} : { filter: parseFilter(USER_RESOURCE, filter) }),
      ...(sort ? { sort: { path: resolveSortBy(USER_RESOURCE, sort.by), order: sort.order } } : {}),
      page,
    });

  describe("Users", () => {
    it("creates, reads back equal, and scopes every read by configuration", async () => {
      const scope = newScope();
      const u = userRecord(scope, { userName: "Alice", emails: [{ value: "a@example.com", type: "work" }] });
      await stores.scimUsers.create(u);
      expect(await stores.scimUsers.get(scope.scimConfigurationId, u.id)).toEqual(u);
      expect(await stores.scimUsers.findByUserName(scope.scimConfigurationId, "alice")).toEqual(u);
      const other = newScope(scope.organizationId);
      expect(await stores.scimUsers.get(other.scimConfigurationId, u.id)).toBeUndefined();
      expect(await stores.scimUsers.findByUserName(other.scimConfigurationId, "alice")).toBeUndefined();
      expect(await stores.scimUsers.getMany(other.scimConfigurationId, [u.id])).toEqual([]);
      expect((await listUsers(other)).totalResults).toBe(0);
    });

    it("getMany returns the configuration's users among the ids, once each, leaving unknown ids out", async () => {
      const scope = newScope();
      const [a, b, c] = [userRecord(scope, { userName: "a" }), userRecord(scope, { userName: "b" }), userRecord(newScope(), { userName: "c" })];
      for (const u of [a!, b!, c!]) await stores.scimUsers.create(u);
      const got = await stores.scimUsers.getMany(scope.scimConfigurationId, [b!.id, newId(), a!.id, c!.id, b!.id]);
      expect(got.sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([a, b]);
      expect(await stores.scimUsers.getMany(scope.scimConfigurationId, [])).toEqual([]);
    });

    it("refuses a userName taken in the configuration, case-insensitively; another configuration may have it", async () => {
      const scope = newScope();
      await stores.scimUsers.create(userRecord(scope, { userName: "Alice" }));
      const dup = userRecord(scope, { userName: "ALICE" });
      await expect(stores.scimUsers.create(dup)).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimUserName));
      expect(await stores.scimUsers.get(scope.scimConfigurationId, dup.id)).toBeUndefined();
      await stores.scimUsers.create(userRecord(newScope(scope.organizationId), { userName: "alice" }));
    });

    it("reports a colliding id as a key collision, never as the client's userName conflict", async () => {
      const scope = newScope();
      const first = userRecord(scope, { userName: "first" });
      await stores.scimUsers.create(first);
      await expect(stores.scimUsers.create(userRecord(scope, { userName: "second" }, { id: first.id }))).rejects.toBeInstanceOf(KeyCollisionError);
    });

    it("replaces at the expected version only: stale at another version, undefined when gone or foreign", async () => {
      const scope = newScope();
      const u = userRecord(scope, { userName: "alice", title: "Engineer", externalId: "x1" });
      await stores.scimUsers.create(u);
      const next = { attributes: { userName: "Alice.B", active: false }, userNameKey: "alice.b", active: false, lastModified: at(60) };
      const written = await stores.scimUsers.replace(scope.scimConfigurationId, u.id, 1, next);
      const expected = { ...u, ...next, version: 2 };
      expect(written).toEqual(expected);
      expect(await stores.scimUsers.get(scope.scimConfigurationId, u.id)).toEqual(expected);
      expect(await stores.scimUsers.replace(scope.scimConfigurationId, u.id, 1, next)).toBe("stale");
      expect(await stores.scimUsers.replace(newScope().scimConfigurationId, u.id, 2, next)).toBeUndefined();
      expect(await stores.scimUsers.replace(scope.scimConfigurationId, newId(), 1, next)).toBeUndefined();
      // The search form follows: the new userName is found, the old one and the removed attributes are not.
      expect(await stores.scimUsers.findByUserName(scope.scimConfigurationId, "alice")).toBeUndefined();
      expect(names(await listUsers(scope, 'userName eq "alice.b"'))).toEqual(["Alice.B"]);
      expect((await listUsers(scope, 'userName eq "alice"')).totalResults).toBe(0);
      expect((await listUsers(scope, "title pr or externalId pr")).totalResults).toBe(0);
      expect(names(await listUsers(scope, 'active eq false and meta.lastModified eq "2026-01-01T00:01:00Z"'))).toEqual(["Alice.B"]);
      expect(names(await listUsers(scope, `meta.created eq "${T0.toISOString()}"`))).toEqual(["Alice.B"]);
    });

    it("refuses a replace onto a taken userName and leaves the record as it was", async () => {
      const scope = newScope();
      const [a, b] = [userRecord(scope, { userName: "a" }), userRecord(scope, { userName: "b" })];
      await stores.scimUsers.create(a!);
      await stores.scimUsers.create(b!);
      const next = { attributes: { userName: "A" }, userNameKey: "a", active: true, lastModified: at(1) };
      await expect(stores.scimUsers.replace(scope.scimConfigurationId, b!.id, 1, next)).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimUserName));
      expect(await stores.scimUsers.get(scope.scimConfigurationId, b!.id)).toEqual(b);
      // Its own userName in another case is no conflict.
      const own = { attributes: { userName: "B" }, userNameKey: "b", active: true, lastModified: at(2) };
      expect(await stores.scimUsers.replace(scope.scimConfigurationId, b!.id, 1, own)).toMatchObject({ version: 2, attributes: { userName: "B" } });
    });

    it("deletes with and without an expected version", async () => {
      const scope = newScope();
      const [a, b] = [userRecord(scope, { userName: "a" }), userRecord(scope, { userName: "b" })];
      await stores.scimUsers.create(a!);
      await stores.scimUsers.create(b!);
      expect(await stores.scimUsers.delete(scope.scimConfigurationId, a!.id, 7)).toBe("stale");
      expect(await stores.scimUsers.delete(newScope().scimConfigurationId, a!.id, 1)).toBeUndefined();
      expect(await stores.scimUsers.delete(scope.scimConfigurationId, a!.id, 1)).toEqual(a);
      expect(await stores.scimUsers.delete(scope.scimConfigurationId, a!.id, 1)).toBeUndefined();
      expect(await stores.scimUsers.delete(scope.scimConfigurationId, b!.id)).toEqual(b);
      expect(await stores.scimUsers.delete(scope.scimConfigurationId, b!.id)).toBeUndefined();
      expect(await stores.scimUsers.get(scope.scimConfigurationId, a!.id)).toBeUndefined();
      // The userName is free again.
      await stores.scimUsers.create(userRecord(scope, { userName: "A" }));
    });

    it("lists a member's identities across configurations", async () => {
      const org = randomUUID();
      const memberId = newId();
      const [x, y] = [userRecord(newScope(org), { userName: "x" }, { memberId }), userRecord(newScope(org), { userName: "y" }, { memberId })];
      await stores.scimUsers.create(x!);
      await stores.scimUsers.create(y!);
      await stores.scimUsers.create(userRecord(newScope(org), { userName: "z" }));
      expect((await stores.scimUsers.listByMember(memberId)).sort((p, q) => (p.id < q.id ? -1 : 1))).toEqual([x, y]);
      await stores.scimUsers.delete(x!.scimConfigurationId, x!.id);
      expect(await stores.scimUsers.listByMember(memberId)).toEqual([y]);
      expect(await stores.scimUsers.listByMember(newId())).toEqual([]);
    });
  });

  describe("Groups", () => {
    it("creates, scopes, and refuses a displayName taken in the configuration, case-insensitively", async () => {
      const scope = newScope();
      const g = groupRecord(scope, "Admins", { attributes: { displayName: "Admins", externalId: "G1" } });
      await stores.scimGroups.create(g);
      expect(await stores.scimGroups.get(scope.scimConfigurationId, g.id)).toEqual(g);
      expect(await stores.scimGroups.get(newScope().scimConfigurationId, g.id)).toBeUndefined();
      await expect(stores.scimGroups.create(groupRecord(scope, "ADMINS"))).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimGroupName));
      await expect(stores.scimGroups.create(groupRecord(scope, "Other", { id: g.id }))).rejects.toBeInstanceOf(KeyCollisionError);
      await stores.scimGroups.create(groupRecord(newScope(), "admins"));
      expect(await stores.scimGroups.getMany(scope.scimConfigurationId, [g.id, newId()])).toEqual([g]);
      const list = (filter: string) => stores.scimGroups.list(scope.scimConfigurationId, { filter: parseFilter(GROUP_RESOURCE, filter), page: indexPage() });
      expect((await list('displayName eq "admins"')).items).toEqual([g]);
      expect((await list('externalId eq "G1"')).items).toEqual([g]);
      expect((await list('externalId eq "g1"')).totalResults).toBe(0);
      expect((await list(`id eq "${g.id}"`)).items).toEqual([g]);
    });

    it("replaces with or without an expected version, refusing a taken displayName", async () => {
      const scope = newScope();
      const [a, b] = [groupRecord(scope, "A"), groupRecord(scope, "B")];
      await stores.scimGroups.create(a!);
      await stores.scimGroups.create(b!);
      const next = { attributes: { displayName: "B2" }, displayNameKey: "b2", lastModified: at(10) };
      expect(await stores.scimGroups.replace(scope.scimConfigurationId, b!.id, undefined, next)).toEqual({ ...b, ...next, version: 2 });
      expect(await stores.scimGroups.replace(scope.scimConfigurationId, b!.id, 1, next)).toBe("stale");
      expect(await stores.scimGroups.replace(scope.scimConfigurationId, newId(), undefined, next)).toBeUndefined();
      const taken = { attributes: { displayName: "a" }, displayNameKey: "a", lastModified: at(20) };
      await expect(stores.scimGroups.replace(scope.scimConfigurationId, b!.id, 2, taken)).rejects.toEqual(new AlreadyExistsError(CONFLICT.scimGroupName));
      // lastModified never moves backwards, even when the writer's clock is behind.
      const behind = { attributes: { displayName: "B3" }, displayNameKey: "b3", lastModified: at(5) };
      expect(await stores.scimGroups.replace(scope.scimConfigurationId, b!.id, 2, behind)).toEqual({ ...b, ...behind, lastModified: at(10), version: 3 });
      const found = await stores.scimGroups.list(scope.scimConfigurationId, { filter: parseFilter(GROUP_RESOURCE, 'displayName eq "b3" and meta.lastModified eq "2026-01-01T00:00:10Z"'), page: indexPage() });
      expect(found.items.map((g) => g.id)).toEqual([b!.id]);
    });

    it("touch bumps the version and lastModified only (forward only), conditionally when asked", async () => {
      const scope = newScope();
      const g = groupRecord(scope, "G");
      await stores.scimGroups.create(g);
      expect(await stores.scimGroups.touch(scope.scimConfigurationId, g.id, undefined, at(30))).toEqual({ ...g, version: 2, lastModified: at(30) });
      expect(await stores.scimGroups.touch(scope.scimConfigurationId, g.id, 2, at(20))).toEqual({ ...g, version: 3, lastModified: at(30) });
      expect(await stores.scimGroups.touch(scope.scimConfigurationId, g.id, 2, at(40))).toBe("stale");
      expect(await stores.scimGroups.touch(newScope().scimConfigurationId, g.id, undefined, at(40))).toBeUndefined();
      const found = await stores.scimGroups.list(scope.scimConfigurationId, { filter: parseFilter(GROUP_RESOURCE, 'meta.lastModified ge "2026-01-01T00:00:30Z"'), page: indexPage() });
      expect(found.totalResults).toBe(1);
    });

    it("deletes with and without an expected version", async () => {
      const scope = newScope();
      const g = groupRecord(scope, "G");
      await stores.scimGroups.create(g);
      expect(await stores.scimGroups.delete(scope.scimConfigurationId, g.id, 2)).toBe("stale");
      expect(await stores.scimGroups.delete(scope.scimConfigurationId, g.id, 1)).toEqual(g);
      expect(await stores.scimGroups.delete(scope.scimConfigurationId, g.id)).toBeUndefined();
      expect(await stores.scimGroups.delete(scope.scimConfigurationId, g.id, 1)).toBeUndefined();
    });
  });

  describe("User lists", () => {
    const scope = newScope();
    let users: ScimUserRecord[];
    const byName = (...wanted: string[]) => wanted.map((n) => users.find((u) => u.attributes["userName"] === n)!.id);
    beforeAll(async () => {
      users = userSet(scope);
      for (const u of users) await stores.scimUsers.create(u);
      // Another configuration of the same organization, with a userName of the first: never listed.
      const other = newScope(scope.organizationId);
      for (const u of userSet(other).slice(0, 3)) await stores.scimUsers.create(u);
    });

    const FILTERS: [string, string[]][] = [
      ['userName eq "aLiCe"', ["Alice"]],
      ['externalId eq "ext-1"', ["Alice"]],
      ['externalId eq "EXT-1"', ["bob"]],
      ['emails.value eq "BOB@example.com"', ["bob"]],
      ['emails.value eq "erin@example.com"', ["erin"]],
      ['emails[type eq "work"]', ["Alice", "bob", "carol", "erin", "Grace", "ivan.b"]],
      ['emails[type eq "work" and value co "example.com"]', ["Alice", "bob", "erin", "Grace", "ivan.b"]],
      ['emails[type eq "work" and not (primary eq true)]', ["carol", "erin", "Grace", "ivan.b"]],
      ['emails[type eq "home" or primary eq true]', ["Alice", "bob", "Dave", "ivan.b"]],
      ['not (userName sw "a")', ["bob", "carol", "Dave", "erin", "frank", "Grace", "heidi", "ivan.b", "judy", "Ken", "Lou*1"]],
      ['userName sw "J" or title pr', ["Alice", "carol", "erin", "Grace", "heidi", "judy", "Lou*1"]],
      ['title eq "ENGINEER" and not (active eq false)', ["Alice", "erin", "judy"]],
      // An omitted `active` has no value to compare (the default is not stored).
      ['title sw "ENGINEER" and active eq true', ["Lou*1"]],
      ['name.familyName co "jensen"', ["Alice", "carol", "judy"]],
      ['userName co "*"', ["Lou*1"]],
      ['userName ew ".b"', ["ivan.b"]],
      ['meta.lastModified gt "2026-01-01T00:35:00Z"', ["Alice", "bob", "carol", "Dave", "erin"]],
      [`${ENTERPRISE}:department eq "R&D"`, ["Alice", "erin"]],
      ["active eq false", ["carol", "frank"]],
      ['userType ne "Employee"', ["Alice", "bob", "carol", "Dave", "erin", "Grace", "ivan.b", "judy", "Ken", "Lou*1"]],
      ["externalId pr and not (emails pr)", ["frank", "heidi"]],
      ['userName eq "Dave" and emails.value eq "dave@example.com"', ["Dave"]],
      ['userName eq "nobody"', []],
    ];

    it.each(FILTERS)("filter %s", async (filter, expected) => {
      const result = await listUsers(scope, filter);
      expect(names(result)).toEqual(expected);
      expect(result.totalResults).toBe(expected.length);
    });

    it("finds by id (the _id lookup), combined with other conditions", async () => {
      const [dave] = byName("Dave");
      expect(names(await listUsers(scope, `id eq "${dave}"`))).toEqual(["Dave"]);
      expect(names(await listUsers(scope, `id eq "${dave}" and userName eq "bob"`))).toEqual([]);
      expect(names(await listUsers(scope, `id eq "${dave}" or userName eq "bob"`))).toEqual(["bob", "Dave"]);
      expect(names(await listUsers(scope, `id eq "${dave}"`, undefined, { kind: "cursor", count: 5 }))).toEqual(["Dave"]);
    });

    it("sorts ascending and descending, missing values last and first, ties in creation order", async () => {
      const title = ["heidi", "Grace", "Alice", "erin", "judy", "Lou*1", "carol", "bob", "Dave", "frank", "ivan.b", "Ken"];
      expect(names(await listUsers(scope, undefined, { by: "title", order: "ascending" }))).toEqual(title);
      expect(names(await listUsers(scope, undefined, { by: "title", order: "descending" }))).toEqual(["bob", "Dave", "frank", "ivan.b", "Ken", "carol", "Lou*1", "Alice", "erin", "judy", "Grace", "heidi"]);
      const byEmail = ["Alice", "bob", "carol", "Dave", "erin", "Grace", "ivan.b", "Ken", "frank", "heidi", "judy", "Lou*1"];
      expect(names(await listUsers(scope, undefined, { by: "emails", order: "ascending" }))).toEqual(byEmail);
      const created = users.map((u) => u.attributes["userName"]);
      expect(names(await listUsers(scope, undefined, { by: "meta.lastModified", order: "ascending" }))).toEqual([...created].reverse());
      expect(names(await listUsers(scope, undefined, { by: "userName", order: "descending" }))).toEqual([...created].reverse());
      expect(names(await listUsers(scope, 'emails[type eq "work"]', { by: "name.familyName", order: "ascending" }))).toEqual(["Alice", "carol", "bob", "erin", "Grace", "ivan.b"]);
      expect(names(await listUsers(scope, undefined, { by: `${ENTERPRISE}:department`, order: "descending" }))).toEqual(["bob", "carol", "frank", "Grace", "heidi", "judy", "Ken", "Lou*1", "Dave", "ivan.b", "Alice", "erin"]);
    });

    it("pages by index: startIndex and count over the sorted matches; count=0 gives the total only", async () => {
      const sort = { by: "meta.lastModified", order: "ascending" as const };
      const all = names(await listUsers(scope, undefined, sort));
      const page = await listUsers(scope, undefined, sort, indexPage(3, 4));
      expect(names(page)).toEqual(all.slice(2, 6));
      expect(page.totalResults).toBe(12);
      expect(await listUsers(scope, undefined, undefined, indexPage(1, 0))).toEqual({ totalResults: 12, items: [] });
      expect(await listUsers(scope, "title pr", undefined, indexPage(1, 0))).toEqual({ totalResults: 7, items: [] });
      expect(names(await listUsers(scope, undefined, undefined, indexPage(12, 5)))).toEqual(["Lou*1"]);
      expect(await listUsers(scope, undefined, undefined, indexPage(13, 5))).toEqual({ totalResults: 12, items: [] });
      expect(names(await listUsers(scope, "title pr", undefined, indexPage(2, 2)))).toEqual(["carol", "erin"]);
    });

    /** Walks forward from the start, then back from the last page, checking the cursors of every page. */
    async function walk(filter: string | undefined, count: number, expected: string[]) {
      const cursor = (c: { after?: string; before?: string }) => ({ kind: "cursor" as const, count, ...c });
      const forward: string[] = [];
      let page = await listUsers(scope, filter, undefined, cursor({}));
      expect(page.previousBefore).toBeUndefined();
      let last = page;
      for (;;) {
        expect(page.totalResults).toBe(expected.length);
        forward.push(...(names(page) as string[]));
        last = page;
        if (page.nextAfter === undefined) break;
        expect(page.nextAfter).toBe(page.items[page.items.length - 1]!.id);
        page = await listUsers(scope, filter, undefined, cursor({ after: page.nextAfter }));
        expect(page.previousBefore).toBe(page.items[0]!.id);
      }
      expect(forward).toEqual(expected);
      const backward: string[][] = [names(last) as string[]];
      let before = last.previousBefore;
      while (before !== undefined) {
        const back = await listUsers(scope, filter, undefined, cursor({ before }));
        expect(back.totalResults).toBe(expected.length);
        expect(back.nextAfter).toBe(back.items[back.items.length - 1]!.id);
        backward.unshift(names(back) as string[]);
        before = back.previousBefore;
      }
      expect(backward.flat()).toEqual(expected);
    }

    it("walks by cursor forward and back, every record exactly once", async () => {
      await walk(undefined, 5, users.map((u) => u.attributes["userName"] as string));
      await walk(undefined, 12, users.map((u) => u.attributes["userName"] as string));
      await walk(undefined, 1, users.map((u) => u.attributes["userName"] as string));
      await walk("title pr", 3, ["Alice", "carol", "erin", "Grace", "heidi", "judy", "Lou*1"]);
      await walk('emails[type eq "work"]', 4, ["Alice", "bob", "carol", "erin", "Grace", "ivan.b"]);
    });

    it("gives each cursor page both ways on: nextAfter and previousBefore", async () => {
      const ids = users.map((u) => u.id);
      const first = await listUsers(scope, undefined, undefined, { kind: "cursor", count: 5 });
      expect({ ...first, items: first.items.map((u) => u.id) }).toEqual({ totalResults: 12, items: ids.slice(0, 5), nextAfter: ids[4] });
      const second = await listUsers(scope, undefined, undefined, { kind: "cursor", count: 5, after: ids[4] });
      expect({ ...second, items: second.items.map((u) => u.id) }).toEqual({ totalResults: 12, items: ids.slice(5, 10), nextAfter: ids[9], previousBefore: ids[5] });
      const end = await listUsers(scope, undefined, undefined, { kind: "cursor", count: 5, after: ids[9] });
      expect({ ...end, items: end.items.map((u) => u.id) }).toEqual({ totalResults: 12, items: ids.slice(10), previousBefore: ids[10] });
      const back = await listUsers(scope, undefined, undefined, { kind: "cursor", count: 5, before: ids[5] });
      expect({ ...back, items: back.items.map((u) => u.id) }).toEqual({ totalResults: 12, items: ids.slice(0, 5), nextAfter: ids[4] });
      const filtered = await listUsers(scope, "title pr", undefined, { kind: "cursor", count: 2, before: ids[9] });
      expect(names(filtered)).toEqual(["Grace", "heidi"]);
      expect(filtered.previousBefore).toBe(byName("Grace")[0]);
      // sortBy does not apply to cursor pages: they walk in creation order.
      const sorted = await listUsers(scope, undefined, { by: "meta.lastModified", order: "ascending" }, { kind: "cursor", count: 3 });
      expect(names(sorted)).toEqual(["Alice", "bob", "carol"]);
      const sortedFiltered = await listUsers(scope, "title pr", { by: "title", order: "ascending" }, { kind: "cursor", count: 3 });
      expect(names(sortedFiltered)).toEqual(["Alice", "carol", "erin"]);
      // A page reached with a cursor offers the way back even when no earlier record matches.
      const late = await listUsers(scope, 'userName sw "k"', undefined, { kind: "cursor", count: 3, after: ids[1] });
      expect({ ...late, items: names(late) }).toEqual({ totalResults: 1, items: ["Ken"], previousBefore: byName("Ken")[0] });
    });

    it("never skips or repeats a record that exists throughout a walk while others come and go", async () => {
      const walkScope = newScope();
      const initial = userSet(walkScope);
      for (const u of initial) await stores.scimUsers.create(u);
      const seen: string[] = [];
      let after: string | undefined;
      let round = 0;
      const deleted = new Set<string>();
      for (;;) {
        const page = await stores.scimUsers.list(walkScope.scimConfigurationId, { page: { kind: "cursor", count: 3, ...(after ? { after } : {}) } });
        seen.push(...page.items.map((u) => u.id));
        // Between pages: delete a record not seen yet and one seen already, create two.
        const unseen = initial.find((u) => !seen.includes(u.id) && !deleted.has(u.id));
        for (const victim of [unseen, initial[round]]) {
          if (victim && !deleted.has(victim.id)) {
            deleted.add(victim.id);
            await stores.scimUsers.delete(walkScope.scimConfigurationId, victim.id);
          }
        }
        for (let i = 0; i < 2; i++) await stores.scimUsers.create(userRecord(walkScope, { userName: `new-${round}-${i}` }));
        round++;
        if (page.nextAfter === undefined || round > 40) break;
        after = page.nextAfter;
      }
      const throughout = initial.filter((u) => !deleted.has(u.id)).map((u) => u.id);
      expect(seen.filter((id) => throughout.includes(id))).toEqual(throughout);
      expect(new Set(seen).size).toBe(seen.length);
    });
  });

  describe("memberships", () => {
    it("adds idempotently and keeps members in the order they were added", async () => {
      const scope = newScope();
      const [g1, g2] = [newId(), newId()];
      const [u1, u2, u3, u4] = [newId(), newId(), newId(), newId()];
      const cfg = scope.scimConfigurationId;
      await stores.memberships.add(cfg, g1, [u3, u1, u3], T0);
      await stores.memberships.add(cfg, g1, [u1, u2], T0);
      await stores.memberships.add(cfg, g1, [u4], at(-60));
      expect(await stores.memberships.membersOf(cfg, g1)).toEqual([u3, u1, u2, u4]);
      await stores.memberships.remove(cfg, g1, [u1, newId()]);
      await stores.memberships.add(cfg, g1, [u1], T0);
      expect(await stores.memberships.membersOf(cfg, g1)).toEqual([u3, u2, u4, u1]);
      await stores.memberships.add(cfg, g2, [u2, u3], T0);
      expect(await stores.memberships.groupsOf(cfg, u2)).toEqual([g1, g2]);
      expect(await stores.memberships.groupsOf(cfg, newId())).toEqual([]);
      // Scoped by configuration.
      const other = newScope().scimConfigurationId;
      expect(await stores.memberships.membersOf(other, g1)).toEqual([]);
      expect(await stores.memberships.groupsOf(other, u2)).toEqual([]);
      await stores.memberships.removeAll(other, g1);
      await stores.memberships.removeUser(other, u2);
      expect(await stores.memberships.membersOf(cfg, g1)).toEqual([u3, u2, u4, u1]);
    });

    it("removes a group's memberships and a user's", async () => {
      const cfg = newScope().scimConfigurationId;
      const [g1, g2] = [newId(), newId()];
      const [u1, u2, u3] = [newId(), newId(), newId()];
      await stores.memberships.add(cfg, g1, [u1, u2, u3], T0);
      await stores.memberships.add(cfg, g2, [u1, u3], T0);
      await stores.memberships.removeUser(cfg, u1);
      expect(await stores.memberships.membersOf(cfg, g1)).toEqual([u2, u3]);
      expect(await stores.memberships.membersOf(cfg, g2)).toEqual([u3]);
      expect(await stores.memberships.groupsOf(cfg, u1)).toEqual([]);
      await stores.memberships.removeAll(cfg, g1);
      expect(await stores.memberships.membersOf(cfg, g1)).toEqual([]);
      expect(await stores.memberships.groupsOf(cfg, u3)).toEqual([g2]);
      await stores.memberships.remove(cfg, g2, []);
      await stores.memberships.add(cfg, g2, [], T0);
      expect(await stores.memberships.membersOf(cfg, g2)).toEqual([u3]);
    });

    it("adds thousands of members in one call, those already there included", async () => {
      const cfg = newScope().scimConfigurationId;
      const g = newId();
      const ids = Array.from({ length: 2500 }, () => newId());
      await stores.memberships.add(cfg, g, ids.slice(0, 1500), T0);
      await stores.memberships.add(cfg, g, ids.slice(1000), T0);
      expect(await stores.memberships.membersOf(cfg, g)).toEqual(ids);
    });
  });

  describe("members", () => {
    it("creates, reads back equal, scoped by organization; a colliding id is a key collision", async () => {
      const org = randomUUID();
      const m = memberRecord(org, { formerIdentities: [{ userNameKey: "old", scimConfigurationId: newId() }] });
      await stores.members.create(m);
      expect(await stores.members.get(org, m.id)).toEqual(m);
      expect(await stores.members.get(randomUUID(), m.id)).toBeUndefined();
      await expect(stores.members.create(memberRecord(org, { id: m.id }))).rejects.toBeInstanceOf(KeyCollisionError);
    });

    it("finds members by email within the organization, in id order; no email matches nobody", async () => {
      const org = randomUUID();
      const [a, b, c, d] = [
        memberRecord(org, { email: "Pat@Example.com" }),
        memberRecord(org, { email: "pat@example.com" }),
        memberRecord(randomUUID(), { email: "pat@example.com" }),
        memberRecord(org, { email: "" }),
      ];
      for (const m of [a!, b!, c!, d!]) await stores.members.create(m);
      expect(await stores.members.findByEmail(org, "pat@example.com")).toEqual([a, b]);
      expect(await stores.members.findByEmail(org, "")).toEqual([]);
    });

    it("adds and removes former identities, and finds the member by one", async () => {
      const org = randomUUID();
      const m = memberRecord(org);
      await stores.members.create(m);
      const cfg = newId();
      const former = { scimConfigurationId: cfg, userNameKey: "alice" };
      expect(await stores.members.findFormer(org, former)).toBeUndefined();
      const added = await stores.members.update(org, m.id, { addFormerIdentity: former, status: "left" }, at(10));
      expect(added).toEqual({ ...m, status: "left", formerIdentities: [former], updatedAt: at(10) });
      expect(await stores.members.update(org, m.id, { addFormerIdentity: { userNameKey: "alice", scimConfigurationId: cfg } }, at(5))).toEqual(added);
      expect(await stores.members.findFormer(org, former)).toEqual(added);
      expect(await stores.members.findFormer(randomUUID(), former)).toBeUndefined();
      // The two fields belong to one element: this configuration's "bob" is not another's "alice".
      const bob = { scimConfigurationId: cfg, userNameKey: "bob" };
      const other = { scimConfigurationId: newId(), userNameKey: "alice" };
      await stores.members.update(org, m.id, { addFormerIdentity: other }, at(11));
      expect(await stores.members.findFormer(org, bob)).toBeUndefined();
      const swapped = await stores.members.update(org, m.id, { removeFormerIdentity: former, addFormerIdentity: bob }, at(12));
      expect(swapped?.formerIdentities).toEqual([other, bob]);
      expect(await stores.members.findFormer(org, former)).toBeUndefined();
      expect((await stores.members.findFormer(org, bob))?.id).toBe(m.id);
      const back = await stores.members.update(org, m.id, { removeFormerIdentity: bob, addFormerIdentity: bob }, at(13));
      expect(back?.formerIdentities).toEqual([other, bob]);
    });

    it("finds a member by former identity or email in one lookup", async () => {
      const org = randomUUID();
      const cfg = newId();
      const former = { scimConfigurationId: cfg, userNameKey: "kim" };
      const gone = memberRecord(org, { email: "kim@old.example.com", status: "left", formerIdentities: [former] });
      const same = memberRecord(org, { email: "Kim@Example.com" });
      const sameToo = memberRecord(org, { email: "kim@example.com" });
      for (const m of [gone, same, sameToo, memberRecord(randomUUID(), { email: "kim@example.com" })]) await stores.members.create(m);
      const both = await stores.members.findFormerOrEmail(org, former, "kim@example.com");
      expect(both.former?.id).toBe(gone.id);
      expect(both.byEmail.map((m) => m.id)).toEqual([same.id, sameToo.id].sort());
      expect(await stores.members.findFormerOrEmail(org, { scimConfigurationId: cfg, userNameKey: "nobody" }, "")).toEqual({ byEmail: [] });
      const emailOnly = await stores.members.findFormerOrEmail(org, { scimConfigurationId: newId(), userNameKey: "kim" }, "kim@old.example.com");
      expect(emailOnly.former).toBeUndefined();
      expect(emailOnly.byEmail.map((m) => m.id)).toEqual([gone.id]);
    });

    it("updates the given fields only; updatedAt never moves backwards; unknown or foreign is undefined", async () => {
      const org = randomUUID();
      const m = memberRecord(org);
      await stores.members.create(m);
      const changed = await stores.members.update(org, m.id, { email: "New@Example.com", emailKey: "new@example.com", fullName: "New Name" }, at(60));
      expect(changed).toEqual({ ...m, email: "New@Example.com", emailKey: "new@example.com", fullName: "New Name", updatedAt: at(60) });
      expect(await stores.members.update(org, m.id, { status: "suspended" }, at(30))).toEqual({ ...changed, status: "suspended" });
      expect(await stores.members.get(org, m.id)).toEqual({ ...changed, status: "suspended" });
      expect(await stores.members.findByEmail(org, "new@example.com")).toHaveLength(1);
      expect(await stores.members.update(randomUUID(), m.id, { status: "left" }, at(90))).toBeUndefined();
      expect(await stores.members.update(org, newId(), { status: "left" }, at(90))).toBeUndefined();
    });

    describe("list", () => {
      const org = randomUUID();
      let all: MemberRecord[];
      beforeAll(async () => {
        all = [
          memberRecord(org, { email: "ann@example.com", fullName: "Ann Lee", status: "active" }),
          memberRecord(org, { email: "ben@example.org", fullName: "Ben ANNAN", status: "suspended" }),
          memberRecord(org, { email: "cy@example.com", fullName: "Cy Ng", status: "left" }),
          memberRecord(org, { email: "", fullName: "Dee (a.k.a. D)", status: "active" }),
          memberRecord(org, { email: "eve@exampleXcom.net", fullName: "Eve", status: "active" }),
        ];
        for (const m of all) await stores.members.create(m);
        await stores.members.create(memberRecord(randomUUID(), { email: "ann@example.com" }));
      });
      const bySince = { field: "memberSince", order: "asc" } as const;
      const list = async (filter: MemberFilter, limit = 100) => (await stores.members.list(org, { filter, sort: bySince, limit })).items.map((m) => m.fullName);
      const FILTERS: [string, MemberFilter, string[]][] = [
        ["none", {}, ["Ann Lee", "Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)", "Eve"]],
        ["search in the name, any case", { search: "aNn" }, ["Ann Lee", "Ben ANNAN"]],
        ["search in the email", { search: "EXAMPLE.org" }, ["Ben ANNAN"]],
        ["search is literal, not a pattern", { search: "example.com" }, ["Ann Lee", "Cy Ng"]],
        ["search with metacharacters", { search: "(a.k.a." }, ["Dee (a.k.a. D)"]],
        ["empty search", { search: "" }, ["Ann Lee", "Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)", "Eve"]],
        ["email", { emailKey: "cy@example.com" }, ["Cy Ng"]],
        ["statuses", { statuses: ["active", "left"] }, ["Ann Lee", "Cy Ng", "Dee (a.k.a. D)", "Eve"]],
        ["no statuses", { statuses: [] }, ["Ann Lee", "Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)", "Eve"]],
        ["user ids", { userIds: [] }, ["Ann Lee", "Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)", "Eve"]],
        ["all together", { search: "e", statuses: ["active"], emailKey: "ann@example.com" }, ["Ann Lee"]],
      ];
      it.each(FILTERS)("filter: %s", async (_name, filter, expected) => {
        expect(await list(filter)).toEqual(expected);
      });

      it("filters by user ids", async () => {
        expect(await list({ userIds: [all[4]!.id, all[1]!.id, newId()] })).toEqual(["Ben ANNAN", "Eve"]);
        expect(await list({ userIds: [all[4]!.id, all[1]!.id], statuses: ["active"] })).toEqual(["Eve"]);
      });

      it("pages by position (keyset), filtered or not", async () => {
        const walk = async (filter: MemberFilter, limit: number) => {
          const seen: string[] = [];
          let after: { id: string; nameKey: string } | undefined;
          for (;;) {
            const page = await stores.members.list(org, { filter, sort: bySince, limit, after });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            seen.push(...page.items.map((m) => m.fullName));
            if (!page.more) return seen;
            const last = page.items[page.items.length - 1]!;
            after = { id: last.id, nameKey: last.nameKey };
          }
        };
        expect(await walk({}, 2)).toEqual(["Ann Lee", "Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)", "Eve"]);
        expect(await walk({ statuses: ["active"] }, 1)).toEqual(["Ann Lee", "Dee (a.k.a. D)", "Eve"]);
        expect(await walk({ userIds: all.slice(1, 4).map((m) => m.id) }, 2)).toEqual(["Ben ANNAN", "Cy Ng", "Dee (a.k.a. D)"]);
      });
    });
  });
});
