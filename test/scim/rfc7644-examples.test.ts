/**
 * RFC 7644's own examples (https://www.rfc-editor.org/rfc/rfc7644) as tests against the real
 * /scim/v2: the filters of §3.4.2.2 with their results on a small population, sorting (§3.4.2.3),
 * index paging (§3.4.2.4), POST /.search (§3.4.3), attributes / excludedAttributes (§3.9), PUT
 * (§3.5.1), the PATCH examples of §3.5.2, Bulk (§3.7), ETags (§3.14) and errors (§3.12).
 * Request bodies are the RFC's, with its example ids replaced by the ones the server assigned.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../support/manual-clock.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";
import { BULK_REQUEST, ENTERPRISE, expectScimError, GROUP_SCHEMA, newClient, PATCH_OP, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

/** The instant of §3.4.2.2's meta.lastModified examples; the population is created around it. */
const PIVOT = Date.parse("2011-05-13T04:42:34Z");

/**
 * A population on which every §3.4.2.2 example selects something, and not everything. Created
 * one second apart from PIVOT - 1 s, so that gt/ge/lt/le "2011-05-13T04:42:34Z" differ.
 */
const POPULATION: Record<string, unknown>[] = [
  {
    userName: "bjensen",
    name: { familyName: "Jensen", givenName: "Barbara" },
    displayName: "Babs Jensen",
    title: "Tour Guide",
    userType: "Employee",
    emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
    schemas: [USER_SCHEMA, ENTERPRISE],
    [ENTERPRISE]: { employeeNumber: "701984" },
  },
  {
    userName: "Jsmith",
    name: { familyName: "O'Malley", givenName: "Jim" },
    displayName: "Smith, Jim",
    userType: "Employee",
    emails: [
      { value: "zz-jsmith@example.org", type: "home" },
      { value: "jsmith@example.org", type: "other", primary: true },
    ],
  },
  {
    userName: "jdoe",
    name: { familyName: "Doe", givenName: "Jane" },
    title: "Intern",
    userType: "Intern",
    emails: [{ value: "jdoe@foo.com", type: "work" }],
    ims: [{ value: "jdoe@foo.com", type: "xmpp" }],
  },
  {
    userName: "kmcadams",
    name: { familyName: "McAdams", givenName: "Kim" },
    userType: "Contractor",
    emails: [{ value: "kmcadams@example.com", type: "work" }],
  },
];

/** §3.4.2.2's example filters, each with the userNames it selects from POPULATION. */
const FILTER_EXAMPLES: [string, string[]][] = [
  ['userName eq "bjensen"', ["bjensen"]],
  ['name.familyName co "O\'Malley"', ["Jsmith"]],
  ['userName sw "J"', ["jdoe", "Jsmith"]],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', ["jdoe", "Jsmith"]],
  ["title pr", ["bjensen", "jdoe"]],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', ["jdoe", "kmcadams"]],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', ["jdoe", "Jsmith", "kmcadams"]],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', ["bjensen"]],
  ['meta.lastModified le "2011-05-13T04:42:34Z"', ["bjensen", "Jsmith"]],
  ['title pr and userType eq "Employee"', ["bjensen"]],
  ['title pr or userType eq "Intern"', ["bjensen", "jdoe"]],
  ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', ["bjensen"]],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ["bjensen", "Jsmith"]],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ["jdoe"]],
  ['userType eq "Employee" and (emails.type eq "work")', ["bjensen"]],
  ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ["bjensen"]],
  ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ["bjensen", "jdoe", "kmcadams"]],
  // "Attribute names and attribute operators used in filters are case insensitive."
  ['userName Eq "bjensen"', ["bjensen"]],
  ['Username eq "bjensen"', ["bjensen"]],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', ["bjensen"]],
];

const userNames = (list: any): string[] => (list.Resources as { userName: string }[]).map((r) => r.userName);
const sorted = (names: string[]) => [...names].sort((a, b) => a.localeCompare(b));

describe.each(STORE_KINDS)("RFC 7644 examples (%s)", (store) => {
  let server: TestServer;
  let clock: ManualClock;
  /** The configuration holding POPULATION, and nothing else. */
  let people: ScimClient;
  /** userName → id in `people`. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    clock = new ManualClock(new Date(PIVOT - 60_000));
    server = await startTestServer({ store, clock });
    people = await newClient(server);
    for (const [i, user] of POPULATION.entries()) {
      clock.set(new Date(PIVOT + (i - 1) * 1000));
      const created = await people.createUser(user);
      ids.set(String(user.userName), created.id);
    }
    clock.set(new Date(PIVOT + 60_000));
  });
  afterAll(() => server?.close());

  describe("§3.4.2.2 filtering", () => {
    it.each(FILTER_EXAMPLES)("filter=%s", async (filter, expected) => {
      const list = await people.filter("/Users", filter);
      expect(sorted(userNames(list)), filter).toEqual(sorted(expected));
      expect(list.totalResults).toBe(expected.length);
      expect(list.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    });

    it("a filter that matches nothing is 200 with totalResults 0; bad syntax and unknown attributes are 400 invalidFilter", async () => {
      const none = await people.filter("/Users", 'userName eq "nobody"');
      expect(none).toMatchObject({ totalResults: 0, Resources: [] });
      for (const bad of ['userName eq "x" and', 'bogus eq "x"', "userName zz \"x\"", 'active eq "yes"', "title gt null"]) {
        expectScimError(await people.call("GET", `/Users?filter=${encodeURIComponent(bad)}`), 400, "invalidFilter");
      }
    });
  });

  describe("§3.4.2.3 sorting", () => {
    const order = async (query: string) => userNames((await people.call("GET", `/Users?${query}`)).body);

    it("sorts case-insensitively by userName, ascending by default", async () => {
      expect(await order("sortBy=userName")).toEqual(["bjensen", "jdoe", "Jsmith", "kmcadams"]);
      expect(await order("sortBy=userName&sortOrder=ascending")).toEqual(["bjensen", "jdoe", "Jsmith", "kmcadams"]);
      expect(await order("sortBy=userName&sortOrder=descending")).toEqual(["kmcadams", "Jsmith", "jdoe", "bjensen"]);
    });

    it("puts resources without the value last ascending and first descending", async () => {
      expect((await order("sortBy=title")).slice(0, 2)).toEqual(["jdoe", "bjensen"]);
      expect((await order("sortBy=title&sortOrder=descending")).slice(2)).toEqual(["bjensen", "jdoe"]);
    });

    it("sorts a multi-valued attribute by its primary value, else its first", async () => {
      // Jsmith's primary email is jsmith@…, not its first (zz-jsmith@…).
      expect(await order("sortBy=emails.value")).toEqual(["bjensen", "jdoe", "Jsmith", "kmcadams"]);
      expect(await order("sortBy=emails")).toEqual(["bjensen", "jdoe", "Jsmith", "kmcadams"]);
    });

    it("sorts a filtered list, and refuses an unknown sortBy or sortOrder", async () => {
      expect(await order(`filter=${encodeURIComponent('userType eq "Employee"')}&sortBy=name.familyName`)).toEqual(["bjensen", "Jsmith"]);
      expectScimError(await people.call("GET", "/Users?sortBy=bogus"), 400);
      expectScimError(await people.call("GET", "/Users?sortBy=userName&sortOrder=sideways"), 400, "invalidValue");
    });
  });

  describe("§3.4.2.4 index paging", () => {
    const page = async (query: string) => (await people.call("GET", `/Users?${query}`)).body;
    const creationOrder = POPULATION.map((u) => String(u.userName));

    it("pages in creation order with totalResults, itemsPerPage and startIndex", async () => {
      const first = await page("startIndex=1&count=10");
      expect(first).toMatchObject({ totalResults: 4, itemsPerPage: 4, startIndex: 1 });
      expect(userNames(first)).toEqual(creationOrder);
      const middle = await page("startIndex=2&count=2");
      expect(middle).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 2 });
      expect(userNames(middle)).toEqual(creationOrder.slice(1, 3));
      expect(await page("startIndex=5&count=2")).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    });

    it("count=0 gives totalResults with no resources; startIndex below 1 is 1; a negative count is 0", async () => {
      expect(await page("count=0")).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
      for (const startIndex of ["0", "-5"]) {
        const body = await page(`startIndex=${startIndex}&count=2`);
        expect(body.startIndex).toBe(1);
        expect(userNames(body)).toEqual(creationOrder.slice(0, 2));
      }
      expect(await page("count=-3")).toMatchObject({ totalResults: 4, Resources: [] });
      expectScimError(await people.call("GET", "/Users?count=many"), 400, "invalidValue");
    });
  });

  it("§3.4.3 POST /.search with attributes, filter, startIndex and count", async () => {
    const res = await people.call("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      attributes: ["displayName", "userName"],
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: 10,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.totalResults).toBe(1);
    const [found] = res.body.Resources;
    expect(Object.keys(found).sort()).toEqual(["displayName", "id", "meta", "schemas", "userName"]);
    expect(found).toMatchObject({ userName: "Jsmith", displayName: "Smith, Jim" });
  });

  describe("§3.9 attributes and excludedAttributes", () => {
    const get = async (query: string) => (await people.call("GET", `/Users/${ids.get("bjensen")}?${query}`)).body;

    it("attributes=userName returns it with the always-returned id, schemas and meta", async () => {
      const body = await get("attributes=userName");
      expect(Object.keys(body).sort()).toEqual(["id", "meta", "schemas", "userName"]);
      expect(body.userName).toBe("bjensen");
    });

    it("names sub-attributes and extension attributes, case-insensitively", async () => {
      const body = await get(`attributes=NAME.givenName,${ENTERPRISE}:employeeNumber`);
      expect(body.name).toEqual({ givenName: "Barbara" });
      expect(body[ENTERPRISE]).toEqual({ employeeNumber: "701984" });
      expect(body.emails).toBeUndefined();
    });

    it("excludedAttributes drops what it names and never the always-returned ones", async () => {
      const body = await get("excludedAttributes=emails,name,id,meta");
      expect(body.emails).toBeUndefined();
      expect(body.name).toBeUndefined();
      expect(body).toMatchObject({ id: ids.get("bjensen"), userName: "bjensen", title: "Tour Guide" });
      expect(body.meta.version).toMatch(/^W\/"/);
    });

    it("applies to lists and to write responses", async () => {
      const list = await people.call("GET", `/Users?attributes=userName&filter=${encodeURIComponent('userType eq "Employee"')}`);
      for (const r of list.body.Resources) expect(Object.keys(r).sort()).toEqual(["id", "meta", "schemas", "userName"]);
      const created = await people.call("POST", "/Users?attributes=userName", { schemas: [USER_SCHEMA], userName: "projected", title: "x" });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(["id", "meta", "schemas", "userName"]);
      expect((await people.call("DELETE", `/Users/${created.body.id}`)).status).toBe(204);
    });
  });

  describe("§3.5.1 PUT", () => {
    it("replaces every attribute with the RFC's body, keeps the id, bumps the version", async () => {
      const c = await newClient(server);
      const before = await c.createUser({ userName: "bjensen", nickName: "Babs", title: "Tour Guide", emails: [{ value: "old@example.com", type: "work" }] });
      const res = await c.call(
        "PUT",
        `/Users/${before.id}`,
        {
          schemas: [USER_SCHEMA],
          id: before.id,
          userName: "bjensen",
          externalId: "bjensen",
          name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara", middleName: "Jane" },
          roles: [],
          emails: [{ value: "bjensen@example.com" }, { value: "babs@jensen.org" }],
        },
        { "if-match": before.meta.version },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        id: before.id,
        userName: "bjensen",
        externalId: "bjensen",
        name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara", middleName: "Jane" },
        emails: [{ value: "bjensen@example.com" }, { value: "babs@jensen.org" }],
      });
      expect(res.body.nickName).toBeUndefined();
      expect(res.body.title).toBeUndefined();
      expect(res.body.roles).toBeUndefined();
      expect(res.body.meta.version).not.toBe(before.meta.version);
      expect(res.headers.get("etag")).toBe(res.body.meta.version);
      expect(res.body.meta.created).toBe(before.meta.created);
    });
  });

  describe("§3.5.2 PATCH", () => {
    let c: ScimClient;
    let babs: string;
    let james: string;
    beforeAll(async () => {
      c = await newClient(server);
      babs = (await c.createUser({ userName: "bjensen", displayName: "Babs Jensen", emails: [{ value: "bjensen@example.com", type: "work", primary: true }] })).id;
      james = (await c.createUser({ userName: "jsmith", displayName: "James Smith" })).id;
    });
    const member = (id: string, display: string) => ({ display, $ref: `https://example.com/v2/Users/${id}`, value: id });

    it("§3.5.2.1 adds a member to a group", async () => {
      const group = await c.createGroup({ displayName: "Tour Guides" });
      const body = await c.patch(`/Groups/${group.id}`, [{ op: "add", path: "members", value: [member(babs, "Babs Jensen")] }]);
      expect(body.members).toEqual([expect.objectContaining({ value: babs, display: "Babs Jensen" })]);
      expect(body.members[0].$ref).toMatch(new RegExp(`/scim/v2/Users/${babs}$`));
    });

    it("§3.5.2.1 adds without a path: the value's attributes (names case-insensitive) are added", async () => {
      const body = await c.patch(`/Users/${babs}`, [{ op: "add", value: { emails: [{ value: "babs@jensen.org", type: "home" }], nickname: "Babs" } }]);
      expect(body.nickName).toBe("Babs");
      expect(body.emails).toEqual([
        { value: "bjensen@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home" },
      ]);
    });

    it("§3.5.2.2 removes one member by filter, then all members; removing what is not there is a no-op", async () => {
      const group = await c.createGroup({ displayName: "Removals", members: [{ value: babs }, { value: james }] });
      let body = await c.patch(`/Groups/${group.id}`, [{ op: "remove", path: `members[value eq "${babs}"]` }]);
      expect(body.members.map((m: any) => m.value)).toEqual([james]);
      body = await c.patch(`/Groups/${group.id}`, [{ op: "remove", path: `members[value eq "${babs}"]` }]);
      expect(body.members.map((m: any) => m.value)).toEqual([james]);
      body = await c.patch(`/Groups/${group.id}`, [{ op: "remove", path: "members" }]);
      expect(body.members ?? []).toEqual([]);
      expect(await c.memberIds(group.id)).toEqual([]);
    });

    it("§3.5.2.2 removes a member and adds another in one request; removes all then adds", async () => {
      const group = await c.createGroup({ displayName: "Swaps", members: [{ value: babs }] });
      let body = await c.patch(`/Groups/${group.id}`, [
        { op: "remove", path: `members[value eq "${babs}"]` },
        { op: "add", path: "members", value: [member(james, "James Smith")] },
      ]);
      expect(body.members.map((m: any) => m.value)).toEqual([james]);
      body = await c.patch(`/Groups/${group.id}`, [
        { op: "remove", path: "members" },
        { op: "add", path: "members", value: [member(babs, "Babs Jensen"), member(james, "James Smith")] },
      ]);
      expect(body.members.map((m: any) => m.value).sort()).toEqual([babs, james].sort());
    });

    it("§3.5.2.2 removes multi-valued values matching a filter", async () => {
      const u = await c.createUser({
        userName: "emails-filter",
        emails: [
          { value: "a@example.com", type: "work" },
          { value: "b@example.org", type: "work" },
          { value: "c@example.com", type: "home" },
        ],
      });
      const body = await c.patch(`/Users/${u.id}`, [{ op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' }]);
      expect(body.emails).toEqual([
        { value: "b@example.org", type: "work" },
        { value: "c@example.com", type: "home" },
      ]);
    });

    it("§3.5.2.3 replaces all members", async () => {
      const group = await c.createGroup({ displayName: "Replaced", members: [{ value: babs }] });
      const body = await c.patch(`/Groups/${group.id}`, [{ op: "replace", path: "members", value: [member(babs, "Babs Jensen"), member(james, "James Smith")] }]);
      expect(body.members.map((m: any) => m.value).sort()).toEqual([babs, james].sort());
      const again = await c.patch(`/Groups/${group.id}`, [{ op: "replace", path: "members", value: [member(james, "James Smith")] }]);
      expect(again.members.map((m: any) => m.value)).toEqual([james]);
    });

    it("§3.5.2.3 replaces the work address, then only its streetAddress", async () => {
      const u = await c.createUser({ userName: "addresses", addresses: [{ type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood" }, { type: "home", locality: "Malibu" }] });
      const work = {
        type: "work",
        streetAddress: "911 Universal City Plaza",
        locality: "Hollywood",
        region: "CA",
        postalCode: "91608",
        country: "US",
        formatted: "911 Universal City Plaza\nHollywood, CA 91608 US",
        primary: true,
      };
      let body = await c.patch(`/Users/${u.id}`, [{ op: "replace", path: 'addresses[type eq "work"]', value: work }]);
      expect(body.addresses).toEqual([work, { type: "home", locality: "Malibu" }]);
      body = await c.patch(`/Users/${u.id}`, [{ op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" }]);
      expect(body.addresses[0]).toEqual({ ...work, streetAddress: "1010 Broadway Ave" });
      expect(body.addresses[1]).toEqual({ type: "home", locality: "Malibu" });
    });

    it("§3.5.2.3 replaces without a path", async () => {
      const u = await c.createUser({ userName: "pathless", nickName: "Old", emails: [{ value: "old@example.com", type: "work" }] });
      const body = await c.patch(`/Users/${u.id}`, [
        {
          op: "replace",
          value: {
            emails: [
              { value: "bjensen@example.com", type: "work", primary: true },
              { value: "babs@jensen.org", type: "home" },
            ],
            nickname: "Babs",
          },
        },
      ]);
      expect(body.nickName).toBe("Babs");
      expect(body.emails).toEqual([
        { value: "bjensen@example.com", type: "work", primary: true },
        { value: "babs@jensen.org", type: "home" },
      ]);
    });

    it("errors: invalidPath, noTarget, mutability, invalidValue, invalidSyntax (400, status as a string)", async () => {
      const u = await c.createUser({ userName: "patch-errors", emails: [{ value: "x@example.com", type: "work" }] });
      const send = (operations: unknown[]) => c.call("PATCH", `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: operations });
      expectScimError(await send([{ op: "add", path: "bogus", value: "x" }]), 400, "invalidPath");
      expectScimError(await send([{ op: "replace", path: 'emails[value eq "nobody@example.com"].type', value: "home" }]), 400, "noTarget");
      expectScimError(await send([{ op: "replace", path: "id", value: "00000000-0000-0000-0000-000000000000" }]), 400, "mutability");
      expectScimError(await send([{ op: "replace", path: "active", value: "maybe" }]), 400, "invalidValue");
      expectScimError(await send([{ op: "move", path: "title", value: "x" }]), 400, "invalidSyntax");
      expectScimError(await c.call("PATCH", `/Users/${u.id}`, { Operations: [{ op: "add", path: "title", value: "x" }] }), 400, "invalidSyntax");
      // A failed request changes nothing, even when an earlier operation of it was valid.
      expectScimError(await send([{ op: "replace", path: "title", value: "Boss" }, { op: "add", path: "bogus", value: 1 }]), 400, "invalidPath");
      expect((await c.call("GET", `/Users/${u.id}`)).body.title).toBeUndefined();
    });
  });

  describe("§3.7 Bulk", () => {
    const bulk = (c: ScimClient, operations: unknown[], extra: Record<string, unknown> = {}) => c.call("POST", "/Bulk", { schemas: [BULK_REQUEST], ...extra, Operations: operations });

    it("§3.7.2 resolves bulkId references: a user and the group that names it", async () => {
      const c = await newClient(server);
      const res = await bulk(c, [
        { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
        { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP_SCHEMA], displayName: "Tour Guides", members: [{ type: "User", value: "bulkId:qwerty" }] } },
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]);
      const [user, group] = res.body.Operations;
      expect(user).toMatchObject({ method: "POST", bulkId: "qwerty", status: "201" });
      expect(group).toMatchObject({ method: "POST", bulkId: "ytrewq", status: "201" });
      const alice = await c.call("GET", new URL(user.location).pathname.replace("/scim/v2", ""));
      expect(alice.body.userName).toBe("Alice");
      expect(alice.body.meta.version).toBe(user.version);
      const groupId = new URL(group.location).pathname.split("/").pop()!;
      expect(await c.memberIds(groupId)).toEqual([alice.body.id]);
    });

    it("resolves a reference to a resource created later in the same request (the group listed first)", async () => {
      const c = await newClient(server);
      const res = await bulk(c, [
        { method: "POST", path: "/Groups", bulkId: "group", data: { schemas: [GROUP_SCHEMA], displayName: "Early", members: [{ value: "bulkId:user" }] } },
        { method: "POST", path: "/Users", bulkId: "user", data: { schemas: [USER_SCHEMA], userName: "late", [ENTERPRISE]: { manager: { value: "bulkId:boss" } } } },
        { method: "POST", path: "/Users", bulkId: "boss", data: { schemas: [USER_SCHEMA], userName: "boss" } },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.Operations.map((o: any) => [o.bulkId, o.status])).toEqual(
        expect.arrayContaining([
          ["group", "201"],
          ["user", "201"],
          ["boss", "201"],
        ]),
      );
      const idOf = (bulkId: string) => new URL(res.body.Operations.find((o: any) => o.bulkId === bulkId).location).pathname.split("/").pop()!;
      expect(await c.memberIds(idOf("group"))).toEqual([idOf("user")]);
      const late = await c.call("GET", `/Users/${idOf("user")}`);
      expect(late.body[ENTERPRISE].manager.value).toBe(idOf("boss"));
    });

    it("§3.7.1 circular references (Group A ↔ Group B) fail with 409 and create nothing", async () => {
      const c = await newClient(server);
      const res = await bulk(c, [
        { method: "POST", path: "/Groups", bulkId: "qwerty", data: { schemas: [GROUP_SCHEMA], displayName: "Group A", members: [{ type: "Group", value: "bulkId:ytrewq" }] } },
        { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP_SCHEMA], displayName: "Group B", members: [{ type: "Group", value: "bulkId:qwerty" }] } },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.Operations).toHaveLength(2);
      for (const op of res.body.Operations) {
        expect(op.status).toBe("409");
        expect(op.response).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "409" });
      }
      expect((await c.call("GET", "/Groups")).body.totalResults).toBe(0);
    });

    it("§3.7.1 the RFC's mixed request: POST, PUT, PATCH (bare operations array as the RFC prints it) and DELETE, with versions", async () => {
      const c = await newClient(server);
      const bob = await c.createUser({ userName: "Bob-old" });
      const dave = await c.createUser({ userName: "Dave-old", nickName: "D" });
      const gone = await c.createUser({ userName: "Gone" });
      const res = await bulk(
        c,
        [
          { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:User"], userName: "Alice" } },
          { method: "PUT", path: `/Users/${bob.id}`, version: bob.meta.version, data: { schemas: [USER_SCHEMA], id: bob.id, userName: "Bob" } },
          {
            method: "PATCH",
            path: `/Users/${dave.id}`,
            version: dave.meta.version,
            data: [
              { op: "remove", path: "nickName" },
              { op: "add", path: "userName", value: "Dave" },
            ],
          },
          { method: "DELETE", path: `/Users/${gone.id}`, version: gone.meta.version },
        ],
        { failOnErrors: 1 },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.Operations.map((o: any) => [o.method, o.status])).toEqual([
        ["POST", "201"],
        ["PUT", "200"],
        ["PATCH", "200"],
        ["DELETE", "204"],
      ]);
      expect((await c.call("GET", `/Users/${bob.id}`)).body.userName).toBe("Bob");
      const daveNow = (await c.call("GET", `/Users/${dave.id}`)).body;
      expect(daveNow.userName).toBe("Dave");
      expect(daveNow.nickName).toBeUndefined();
      expect((await c.call("GET", `/Users/${gone.id}`)).status).toBe(404);
    });

    it("a stale version in an operation is 412 for that operation only", async () => {
      const c = await newClient(server);
      const u = await c.createUser({ userName: "versioned" });
      const res = await bulk(c, [
        { method: "PUT", path: `/Users/${u.id}`, version: 'W/"999"', data: { schemas: [USER_SCHEMA], userName: "renamed" } },
        { method: "POST", path: "/Users", bulkId: "other", data: { schemas: [USER_SCHEMA], userName: "other" } },
      ]);
      expect(res.body.Operations.map((o: any) => o.status)).toEqual(["412", "201"]);
      expect((await c.call("GET", `/Users/${u.id}`)).body.userName).toBe("versioned");
    });

    it("§3.7.3 failOnErrors stops after that many errors; without it every operation runs", async () => {
      const c = await newClient(server);
      await c.createUser({ userName: "Alice" });
      const stopped = await bulk(
        c,
        [
          { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
          { method: "POST", path: "/Users", bulkId: "asdfgh", data: { schemas: [USER_SCHEMA], userName: "Bob" } },
        ],
        { failOnErrors: 1 },
      );
      expect(stopped.status).toBe(200);
      expect(stopped.body.Operations).toHaveLength(1);
      expect(stopped.body.Operations[0]).toMatchObject({ method: "POST", bulkId: "qwerty", status: "409", response: { scimType: "uniqueness", status: "409" } });
      expect((await c.filter("/Users", 'userName eq "Bob"')).totalResults).toBe(0);

      const all = await bulk(c, [
        { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
        { method: "POST", path: "/Users", bulkId: "asdfgh", data: { schemas: [USER_SCHEMA], userName: "Bob" } },
      ]);
      expect(all.body.Operations.map((o: any) => o.status)).toEqual(["409", "201"]);
    });

    it("§3.7.4 more than 1,000 operations is 413, as a SCIM error, and nothing runs", async () => {
      const c = await newClient(server);
      const operations = Array.from({ length: 1001 }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `u${i}` } }));
      expectScimError(await bulk(c, operations), 413);
      expect((await c.call("GET", "/Users?count=0")).body.totalResults).toBe(0);
      const config = await c.call("GET", "/ServiceProviderConfig");
      expect(config.body.bulk).toMatchObject({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
    });
  });

  describe("§3.14 versioning (ETags)", () => {
    it("ETag equals meta.version; If-None-Match → 304; If-Match that does not match → 412 on PUT, PATCH and DELETE", async () => {
      const c = await newClient(server);
      const created = await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "etag" });
      expect(created.headers.get("etag")).toBe(created.body.meta.version);
      const id = created.body.id;
      const v1 = created.body.meta.version as string;
      expect(v1).toMatch(/^W\/".+"$/);

      const got = await c.call("GET", `/Users/${id}`);
      expect(got.headers.get("etag")).toBe(v1);
      const notModified = await c.call("GET", `/Users/${id}`, undefined, { "if-none-match": v1 });
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBeUndefined();
      expect((await c.call("GET", `/Users/${id}`, undefined, { "if-none-match": 'W/"999"' })).status).toBe(200);

      const patched = await c.patch(`/Users/${id}`, [{ op: "replace", path: "title", value: "v2" }], { "if-match": v1 });
      const v2 = patched.meta.version as string;
      expect(v2).not.toBe(v1);
      expectScimError(await c.call("PATCH", `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "lost" }] }, { "if-match": v1 }), 412);
      expectScimError(await c.call("PUT", `/Users/${id}`, { schemas: [USER_SCHEMA], userName: "lost" }, { "if-match": v1 }), 412);
      expectScimError(await c.call("DELETE", `/Users/${id}`, undefined, { "if-match": v1 }), 412);
      expect((await c.call("GET", `/Users/${id}`)).body).toMatchObject({ userName: "etag", title: "v2" });
      expect((await c.call("GET", `/Users/${id}`, undefined, { "if-none-match": v1 })).status).toBe(200);

      const put = await c.call("PUT", `/Users/${id}`, { schemas: [USER_SCHEMA], userName: "etag", title: "v3" }, { "if-match": "*" });
      expect(put.status).toBe(200);
      expect(put.headers.get("etag")).toBe(put.body.meta.version);
      expect((await c.call("DELETE", `/Users/${id}`, undefined, { "if-match": put.body.meta.version })).status).toBe(204);
    });

    it("a change that changes nothing keeps the version; a group's membership change bumps it", async () => {
      const c = await newClient(server);
      const u = await c.createUser({ userName: "same", title: "t" });
      const same = await c.patch(`/Users/${u.id}`, [{ op: "replace", path: "title", value: "t" }]);
      expect(same.meta.version).toBe(u.meta.version);
      const g = await c.createGroup({ displayName: "g" });
      const after = await c.patch(`/Groups/${g.id}`, [{ op: "add", path: "members", value: [{ value: u.id }] }]);
      expect(after.meta.version).not.toBe(g.meta.version);
    });
  });

  describe("§3.12 errors", () => {
    it("answers the Error schema with status as a string and scimType where the RFC defines one", async () => {
      const c = await newClient(server);
      const u = await c.createUser({ userName: "errors" });
      expectScimError(await c.call("GET", "/Users/2819c223-7f76-453a-919d-413861904646"), 404);
      expectScimError(await c.call("GET", "/Users/not-a-uuid"), 404);
      expectScimError(await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ERRORS" }), 409, "uniqueness");
      expectScimError(await c.call("POST", "/Users", { schemas: [USER_SCHEMA], name: { givenName: "no userName" } }), 400, "invalidValue");
      expectScimError(await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "x", active: "perhaps" }), 400, "invalidValue");
      expectScimError(await c.call("POST", "/Users", "{not json"), 400, "invalidSyntax");
      expectScimError(await c.call("GET", `/Users?filter=${encodeURIComponent("userName eq")}`), 400, "invalidFilter");
      expectScimError(await c.call("PATCH", `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { id: "2819c223-7f76-453a-919d-413861904646" } }] }), 400, "mutability");
      expectScimError(await c.call("GET", "/Me"), 501);
      expectScimError(await c.call("DELETE", `/Users/${u.id}`, undefined, { "if-match": 'W/"41"' }), 412);
      expect((await c.call("DELETE", `/Users/${u.id}`)).status).toBe(204);
      expectScimError(await c.call("DELETE", `/Users/${u.id}`), 404);
    });
  });
});
