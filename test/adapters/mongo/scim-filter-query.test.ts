import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { MongoClient, type Collection, type Document } from "mongodb";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { escapeRegex, filterToMongo, sortToMongo } from "../../../src/adapters/mongo/scim-filter-query.js";
import { evaluateFilter, parseFilter } from "../../../src/domain/scim/filter.js";
import { USER_RESOURCE, GROUP_RESOURCE, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";
import type { ScimRecord } from "../../../src/domain/scim/scim-record.js";
import { filters, type ValueArbitrary } from "../../domain/scim/filter-arbitrary.js";
import { formatFilter } from "../../../src/domain/scim/filter.js";
import { compareSearchForms, resolveSortBy, searchForm, type SortOrder } from "../../../src/domain/scim/search-form.js";

/**
 * The memory store filters with evaluateFilter, the MongoDB store with filterToMongo over the
 * search form: on a real FerretDB v1.24 both must select exactly the same resources, and sort them
 * the same way.
 */

const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n, 12, 0, 0, n));
const GIVEN = ["Barbara", "barbara", "BARBARA", "Élodie", "élodie", "Zoë", "😀Smile", "O'Malley", "a.b*c", "Line\nbreak", "", "Ω"];
const DOMAINS = ["example.com", "EXAMPLE.COM", "example.org", "foo.com", "x.y", "exam(ple).com"];
const TYPES = ["work", "home", "Work", "other", undefined];

function user(i: number): ScimRecord {
  const emails = Array.from({ length: i % 4 }, (_, k) => ({
    value: `u${i}.${k}@${DOMAINS[(i + k) % DOMAINS.length]}`,
    ...(TYPES[(i + k) % TYPES.length] !== undefined ? { type: TYPES[(i + k) % TYPES.length] } : {}),
    ...(k === 1 && i % 3 === 0 ? { primary: true } : {}),
    ...(k === 0 && i % 5 === 0 ? { display: "" } : {}),
  }));
  const attributes: Record<string, unknown> = {
    userName: i % 7 === 0 ? `USER${i}` : `user${i}`,
    ...(i % 2 === 0 ? { externalId: i % 4 === 0 ? `Ext-${i}` : `ext-${i}` } : {}),
    ...(i % 3 !== 2 ? { name: { givenName: GIVEN[i % GIVEN.length], ...(i % 4 === 1 ? { familyName: "Jensen" } : {}) } } : {}),
    ...(i % 5 === 1 ? { title: "" } : i % 5 === 2 ? { title: "Tour Guide" } : i % 5 === 3 ? { title: "tour guide\n" } : {}),
    ...(i % 6 !== 5 ? { active: i % 2 === 0 } : {}),
    ...(i % 4 !== 3 ? { userType: ["Employee", "Intern", "employee", "Contractor"][i % 4] } : {}),
    ...(emails.length > 0 ? { emails } : i % 8 === 4 ? { emails: [] } : {}),
    ...(i % 9 === 0 ? { ims: [{ value: `im${i}@foo.com`, type: "xmpp" }] } : {}),
    ...(i % 3 === 0
      ? { enterprise: { employeeNumber: String(1000 + i), ...(i % 2 === 0 ? { department: i % 4 === 0 ? "R&D" : "Sales" } : {}), ...(i % 6 === 0 ? { manager: { value: `m${i % 4}` } } : {}) } }
      : i % 10 === 1
        ? { enterprise: {} }
        : {}),
  };
  return { id: `id-${String(i).padStart(2, "0")}`, version: 1, created: day(i), lastModified: day(40 - i), attributes };
}

const USERS = Array.from({ length: 32 }, (_, i) => user(i));
const GROUPS: ScimRecord[] = ["Admins", "admins-2", "Sales", "R&D", "sales (emea)", ""].map((name, i) => ({
  id: `g-${i}`,
  version: 1,
  created: day(i),
  lastModified: day(i),
  attributes: { ...(name ? { displayName: name } : {}), ...(i % 2 ? { externalId: `G${i}` } : {}) },
}));

const USER_FILTERS = [
  'userName eq "user1"',
  'userName eq "USER7"',
  'userName ne "user1"',
  'userName sw "USER"',
  'userName ew "1"',
  'userName co "er2"',
  'userName gt "user3"',
  'userName ge "user3"',
  'userName lt "user2"',
  'userName le "user2"',
  'externalId eq "ext-2"',
  'externalId eq "Ext-4"',
  'externalId eq "ext-4"',
  "externalId pr",
  'externalId sw "Ext"',
  'name.givenName eq "barbara"',
  'name.givenName eq "ÉLODIE"',
  'name.givenName co "😀"',
  'name.givenName gt "z"',
  'name.givenName co "a.b*c"',
  'name.givenName sw "line\\nb"',
  'name.givenName ew "break"',
  "name.givenName pr",
  "name pr",
  "not (name pr)",
  'name[givenName sw "b" and familyName eq "jensen"]',
  'name[not (givenName eq "barbara")]',
  "title pr",
  'title eq "tour guide"',
  'title ew "guide"',
  'title co "guide\\n"',
  "title eq null",
  "active eq true",
  "active eq false",
  "active ne true",
  "active pr",
  'userType eq "employee"',
  'userType ne "Employee" and userType pr',
  "emails pr",
  'emails co "example.com"',
  'emails.value ew "@example.org"',
  'emails.value co "(ple)."',
  'emails.type eq "work"',
  'emails.type ne "work"',
  'emails[type eq "work" and value co "example.com"]',
  'emails[type eq "work" or primary eq true]',
  'emails[not (type eq "work")]',
  "emails[primary eq true]",
  "emails[display pr]",
  "emails[type pr and not (value sw \"u1\")]",
  'emails.type eq "work" and emails.value co "example.com"',
  "ims pr or emails.primary eq true",
  'ims[type eq "xmpp" and value co "@foo.com"] or emails[type eq "home"]',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1003"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber gt "1010"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"',
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr",
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m2"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "M0"]',
  'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  'schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"',
  'not (schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")',
  'id eq "id-05"',
  'id eq "ID-05"',
  'id gt "id-29"',
  'meta.created gt "2024-01-10T12:00:00.010Z"',
  'meta.created ge "2024-01-10T12:00:00.010Z"',
  'meta.created eq "2024-01-11T13:00:00.011+01:00"',
  'meta.lastModified lt "2024-01-20T00:00:00Z"',
  'meta.lastModified le "2024-01-21T12:00:00.019Z"',
  'meta.created gt "2024-01-05T00:00:00Z" and meta.created lt "2024-01-09T00:00:00Z"',
  'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'title pr or userType eq "Intern" and active eq true',
  '(title pr or userType eq "Intern") and active eq true',
  'not (not (active eq true) or name pr)',
];

const GROUP_FILTERS = ['displayName eq "admins"', 'displayName sw "ADMINS"', 'displayName co " (emea)"', "displayName pr", 'displayName gt "r"', 'externalId eq "G1"', 'externalId eq "g1"', "not (externalId pr)"];

const SORTS = [
  "userName",
  "name.givenName",
  "title",
  "active",
  "emails",
  "emails.value",
  "emails.type",
  "externalId",
  "meta.created",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
];

/** Strings of the data (whole, cut, case-changed), its dates (exact or 1 ms off), booleans: random values that do match something. */
const strings = [...new Set(JSON.stringify(USERS).match(/"(?:[^"\\]|\\.)*"/g)!.map((q) => JSON.parse(q) as string))];
const dates = USERS.flatMap((r) => [r.created, r.lastModified]);
const valuesFromData: ValueArbitrary = (def) => {
  if (def.type === "boolean") return fc.boolean();
  if (def.type === "dateTime") return fc.tuple(fc.constantFrom(...dates), fc.integer({ min: -1, max: 1 })).map(([d, ms]) => new Date(d.getTime() + ms).toISOString());
  return fc.tuple(fc.constantFrom(...strings), fc.nat(), fc.nat(), fc.constantFrom("same", "upper", "lower")).map(([text, a, b, casing]) => {
    const cut = a % 3 === 0 ? text : text.slice(Math.min(a, b) % (text.length + 1), Math.max(a, b) % (text.length + 1) || undefined);
    return casing === "upper" ? cut.toUpperCase() : casing === "lower" ? cut.toLowerCase() : cut;
  });
};

describe("filterToMongo agrees with evaluateFilter on FerretDB", () => {
  let client: MongoClient;
  let users: Collection<Document>;
  let groups: Collection<Document>;
  const database = `t_${randomUUID().replaceAll("-", "")}`;

  beforeAll(async () => {
    client = await new MongoClient(inject("mongoUri")).connect();
    const db = client.db(database);
    users = db.collection("scim_users");
    groups = db.collection("scim_groups");
    await users.insertMany(USERS.map((r) => ({ _id: r.id as never, s: searchForm(USER_RESOURCE, r) })));
    await groups.insertMany(GROUPS.map((r) => ({ _id: r.id as never, s: searchForm(GROUP_RESOURCE, r) })));
  });

  afterAll(async () => {
    await client?.db(database).dropDatabase();
    await client?.close();
  });

  const idsFromMongo = async (collection: Collection<Document>, query: Document) => (await collection.find(query, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => String(d["_id"]));
  const idsFromMemory = (resource: ResourceTypeDef, records: ScimRecord[], filter: string) =>
    records.filter((r) => evaluateFilter(parseFilter(resource, filter), r)).map((r) => r.id);

  it("has a varied table: at least 40 filters, and most of them select some but not all resources", () => {
    expect(USER_FILTERS.length + GROUP_FILTERS.length).toBeGreaterThanOrEqual(40);
    const partial = USER_FILTERS.filter((f) => {
      const n = idsFromMemory(USER_RESOURCE, USERS, f).length;
      return n > 0 && n < USERS.length;
    });
    expect(partial.length).toBeGreaterThan(USER_FILTERS.length * 0.85);
  });

  it.each(USER_FILTERS)("User: %s", async (filter) => {
    const query = filterToMongo(parseFilter(USER_RESOURCE, filter));
    expect(await idsFromMongo(users, query), JSON.stringify(query)).toEqual(idsFromMemory(USER_RESOURCE, USERS, filter));
  });

  it.each(GROUP_FILTERS)("Group: %s", async (filter) => {
    const query = filterToMongo(parseFilter(GROUP_RESOURCE, filter));
    expect(await idsFromMongo(groups, query), JSON.stringify(query)).toEqual(idsFromMemory(GROUP_RESOURCE, GROUPS, filter));
  });

  const orders: SortOrder[] = ["ascending", "descending"];
  it.each(SORTS.flatMap((s) => orders.map((o) => [s, o] as const)))("sortBy %s %s", async (sortBy, order) => {
    const path = resolveSortBy(USER_RESOURCE, sortBy);
    const sort = { ...sortToMongo(path, order), _id: 1 as const };
    const fromMongo = (await users.find({}, { projection: { _id: 1 } }).sort(sort).toArray()).map((d) => String(d["_id"]));
    const compare = compareSearchForms(path, order);
    const fromMemory = USERS.map((r) => ({ id: r.id, form: searchForm(USER_RESOURCE, r) }))
      .sort((a, b) => compare(a.form, b.form) || (a.id < b.id ? -1 : 1))
      .map((r) => r.id);
    expect(fromMongo, JSON.stringify(sort)).toEqual(fromMemory);
  });

  it("agrees on random filters built from the schema, with values drawn from the data", async () => {
    let selective = 0;
    await fc.assert(
      fc.asyncProperty(filters(USER_RESOURCE, valuesFromData), async (ast) => {
        const expected = USERS.filter((r) => evaluateFilter(ast, r)).map((r) => r.id);
        if (expected.length > 0 && expected.length < USERS.length) selective++;
        expect(await idsFromMongo(users, filterToMongo(ast)), formatFilter(ast)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
    // Random filters that select nothing or everything prove little: about a fifth select some.
    expect(selective).toBeGreaterThan(25);
  });

  it("escapes every regular-expression metacharacter and control character", () => {
    expect(escapeRegex("a.b*c+d?e^f$g(h)i[j]k{l}m|n\\o")).toBe("a\\.b\\*c\\+d\\?e\\^f\\$g\\(h\\)i\\[j\\]k\\{l\\}m\\|n\\\\o");
    expect(escapeRegex("x\u0000y\nz")).toBe("x\\x00y\\x0az");
  });
});
