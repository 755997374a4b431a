import { describe, expect, it } from "vitest";
import { applyPatch, type PatchOperation } from "../../../src/domain/scim/patch-engine.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import { attr, GROUP_RESOURCE, SCIM_URN, USER_RESOURCE, USER_SCHEMA, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";
import type { ScimAttributes } from "../../../src/domain/scim/scim-record.js";

const ENTERPRISE = SCIM_URN.enterpriseUser;

/** Babs Jensen, after RFC 7643 §8.2, in the stored form. */
const babs = (): ScimAttributes => ({
  userName: "bjensen@example.com",
  name: { formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara" },
  displayName: "Babs Jensen",
  nickName: "Babs",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  addresses: [
    { type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood", region: "CA", postalCode: "91608", country: "USA", primary: true },
    { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood", region: "CA", postalCode: "91608", country: "USA" },
  ],
  phoneNumbers: [{ value: "555-555-5555", type: "work" }],
  enterprise: { employeeNumber: "701984", department: "Tour Operations", manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" } },
});

const patchUser = (ops: PatchOperation[], attributes = babs()) => applyPatch(USER_RESOURCE, { attributes }, ops);
const patchGroup = (ops: PatchOperation[], attributes: ScimAttributes = { displayName: "Tour Guides" }) => applyPatch(GROUP_RESOURCE, { attributes }, ops);

function errorOf(fn: () => unknown): { status: number; scimType: string | undefined; detail: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return { status: e.status, scimType: e.scimType, detail: e.detail };
    throw e;
  }
  throw new Error("expected a ScimError");
}

const BABS_ID = "2819c223-7f76-453a-919d-413861904646";
const JAMES_ID = "08e1d05d-121c-4561-8b96-473d93df9210";

describe("RFC 7644 §3.5.2.1 add", () => {
  it("adds a member (the RFC's first example; display and $ref are ignored)", () => {
    const result = patchGroup([
      { op: "add", path: "members", value: [{ display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS_ID}`, value: BABS_ID }] },
    ]);
    expect(result.members).toEqual({ removeAll: false, add: [BABS_ID], remove: [] });
    expect(result.attributes).toEqual({ displayName: "Tour Guides" });
    expect(result.changed).toBe(true);
  });

  it("path-less add: emails appended, nickname (any case) set (the RFC's second example)", () => {
    const result = patchUser([{ op: "add", value: { emails: [{ value: "babs@jensen.org", type: "home" }, { value: "b2@jensen.org", type: "home" }], nickname: "Babs2" } }]);
    expect(result.attributes["emails"]).toEqual([
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
      { value: "b2@jensen.org", type: "home" },
    ]);
    expect(result.attributes["nickName"]).toBe("Babs2");
  });

  it("an identical value already present is not duplicated, and then nothing changed", () => {
    const result = patchUser([{ op: "add", path: "emails", value: [{ value: "babs@jensen.org", type: "home" }] }]);
    expect(result.attributes["emails"]).toHaveLength(2);
    expect(result.changed).toBe(false);
  });

  it("a new primary value takes primary from the others", () => {
    const result = patchUser([{ op: "add", path: "emails", value: [{ value: "new@example.com", type: "other", primary: true }] }]);
    expect(result.attributes["emails"]).toEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home" },
      { value: "new@example.com", type: "other", primary: true },
    ]);
  });

  it("add to a complex attribute merges sub-attributes; add to a single-valued one replaces it", () => {
    const result = patchUser([
      { op: "add", path: "name", value: { middleName: "Jane" } },
      { op: "add", path: "title", value: "Tour Guide" },
      { op: "add", path: "displayName", value: "Barbara" },
    ]);
    expect(result.attributes["name"]).toEqual({ formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara", middleName: "Jane" });
    expect(result.attributes).toMatchObject({ title: "Tour Guide", displayName: "Barbara" });
  });

  it("add with an extension path and an extension object", () => {
    const result = patchUser([
      { op: "add", path: `${ENTERPRISE}:costCenter`, value: "4130" },
      { op: "add", path: ENTERPRISE, value: { division: "Theme Park" } },
      { op: "add", value: { [ENTERPRISE]: { organization: "Universal Studios", manager: { displayName: "ignored, read-only" } } } },
    ]);
    expect(result.attributes["enterprise"]).toEqual({
      employeeNumber: "701984",
      department: "Tour Operations",
      manager: { value: "26118915-6090-4610-87e4-49d8ca9f808d" },
      costCenter: "4130",
      division: "Theme Park",
      organization: "Universal Studios",
    });
  });
});

describe("RFC 7644 §3.5.2.2 remove", () => {
  it("removes one member by filter", () => {
    expect(patchGroup([{ op: "remove", path: `members[value eq "${BABS_ID}"]` }]).members).toEqual({ removeAll: false, add: [], remove: [BABS_ID] });
  });

  it("removes all members", () => {
    expect(patchGroup([{ op: "remove", path: "members" }]).members).toEqual({ removeAll: true, add: [], remove: [] });
  });

  it('removes emails[type eq "work" and value ew "example.com"]', () => {
    const result = patchUser([{ op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' }]);
    expect(result.attributes["emails"]).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("remove all members then add two: the membership is exactly those two", () => {
    const result = patchGroup([
      { op: "remove", path: "members" },
      {
        op: "add",
        path: "members",
        value: [
          { display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS_ID}`, value: BABS_ID },
          { display: "James Smith", $ref: `https://example.com/v2/Users/${JAMES_ID}`, value: JAMES_ID },
        ],
      },
    ]);
    expect(result.members).toEqual({ removeAll: true, add: [BABS_ID, JAMES_ID], remove: [] });
  });

  it("removes a single-valued attribute, a sub-attribute, an extension attribute, the whole extension", () => {
    expect(patchUser([{ op: "remove", path: "nickName" }]).attributes).not.toHaveProperty("nickName");
    expect(patchUser([{ op: "remove", path: "name.formatted" }]).attributes["name"]).toEqual({ familyName: "Jensen", givenName: "Barbara" });
    expect(patchUser([{ op: "remove", path: `${ENTERPRISE}:manager` }]).attributes["enterprise"]).toEqual({ employeeNumber: "701984", department: "Tour Operations" });
    expect(patchUser([{ op: "remove", path: ENTERPRISE }]).attributes).not.toHaveProperty("enterprise");
  });

  it("removing the last value of a multi-valued attribute unassigns it; emptied elements go", () => {
    expect(patchUser([{ op: "remove", path: 'phoneNumbers[type eq "work"]' }]).attributes).not.toHaveProperty("phoneNumbers");
    const attributes = { userName: "u", phoneNumbers: [{ value: "1" }, { value: "2", type: "home" }] };
    expect(patchUser([{ op: "remove", path: "phoneNumbers.value" }], attributes).attributes["phoneNumbers"]).toEqual([{ type: "home" }]);
  });

  it("a remove that matches nothing is a no-op, not an error (identity providers retry removals)", () => {
    const result = patchUser([
      { op: "remove", path: 'emails[type eq "other"]' },
      { op: "remove", path: "title" },
      { op: "remove", path: "ims" },
      { op: "remove", path: `${ENTERPRISE}:costCenter` },
    ]);
    expect(result.attributes).toEqual(babs());
    expect(result.changed).toBe(false);
  });

  it("remove without a path is noTarget; removing a required attribute is mutability", () => {
    expect(errorOf(() => patchUser([{ op: "remove" }]))).toMatchObject({ status: 400, scimType: "noTarget" });
    const e = errorOf(() => patchUser([{ op: "remove", path: "userName" }]));
    expect(e).toMatchObject({ status: 400, scimType: "mutability" });
    expect(e.detail).toBe('Operations[0] (remove "userName"): userName is required and cannot be removed');
    expect(errorOf(() => patchGroup([{ op: "replace", path: "displayName", value: null }])).scimType).toBe("mutability");
  });
});

describe("RFC 7644 §3.5.2.3 replace", () => {
  it("replaces all members", () => {
    const result = patchGroup([
      {
        op: "replace",
        path: "members",
        value: [
          { display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS_ID}`, value: BABS_ID },
          { display: "James Smith", $ref: `https://example.com/v2/Users/${JAMES_ID}`, value: JAMES_ID },
        ],
      },
    ]);
    expect(result.members).toEqual({ removeAll: true, add: [BABS_ID, JAMES_ID], remove: [] });
  });

  it('replaces addresses[type eq "work"] whole', () => {
    const value = {
      type: "work",
      streetAddress: "911 Universal City Plaza",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "US",
      formatted: "911 Universal City Plaza\nHollywood, CA 91608 US",
      primary: true,
    };
    const result = patchUser([{ op: "replace", path: 'addresses[type eq "work"]', value }]);
    const home = (babs()["addresses"] as unknown[])[1];
    expect(result.attributes["addresses"]).toEqual([value, home]);
  });

  it('replaces addresses[type eq "work"].streetAddress only', () => {
    const result = patchUser([{ op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" }]);
    expect((result.attributes["addresses"] as Record<string, unknown>[])[0]).toEqual({
      type: "work",
      streetAddress: "1010 Broadway Ave",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "USA",
      primary: true,
    });
  });

  it("path-less replace: emails replaced whole, nickname set", () => {
    const emails = [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ];
    const result = patchUser([{ op: "replace", value: { emails, nickname: "Babs" } }], { userName: "u", emails: [{ value: "old@example.com" }] });
    expect(result.attributes).toEqual({ userName: "u", emails, nickName: "Babs" });
  });

  it("replace of a complex attribute leaves unmentioned sub-attributes; null unassigns one", () => {
    const result = patchUser([{ op: "replace", path: "name", value: { givenName: "Babs", formatted: null } }]);
    expect(result.attributes["name"]).toEqual({ familyName: "Jensen", givenName: "Babs" });
  });

  it("replace of an attribute that has no value adds it", () => {
    expect(patchUser([{ op: "replace", path: "title", value: "Guide" }]).attributes["title"]).toBe("Guide");
    expect(patchUser([{ op: "replace", path: "ims", value: [{ value: "babs", type: "xmpp" }] }]).attributes["ims"]).toEqual([{ value: "babs", type: "xmpp" }]);
  });

  it("a value filter that matches nothing is noTarget", () => {
    const e = errorOf(() => patchUser([{ op: "replace", path: 'emails[type eq "other"].value', value: "x@example.com" }]));
    expect(e).toMatchObject({ status: 400, scimType: "noTarget" });
    expect(e.detail).toMatch(/emails\[type eq "other"\]\.value matches no value of emails/);
    expect(errorOf(() => patchUser([{ op: "replace", path: 'emails[value co "nowhere"]', value: { value: "x" } }])).scimType).toBe("noTarget");
  });

  it("marking another value primary takes primary from the previous one", () => {
    const result = patchUser([{ op: "replace", path: 'emails[type eq "home"].primary', value: true }]);
    expect(result.attributes["emails"]).toEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home", primary: true },
    ]);
  });

  it("sets the manager from a bare id and from {value}; an empty value clears it", () => {
    const path = `${ENTERPRISE}:manager`;
    expect((patchUser([{ op: "replace", path, value: "m2" }]).attributes["enterprise"] as ScimAttributes)["manager"]).toEqual({ value: "m2" });
    expect((patchUser([{ op: "replace", path, value: { value: "m3", displayName: "x" } }]).attributes["enterprise"] as ScimAttributes)["manager"]).toEqual({ value: "m3" });
    expect(patchUser([{ op: "replace", path, value: { value: "" } }]).attributes["enterprise"]).not.toHaveProperty("manager");
    expect((patchUser([{ op: "replace", path: `${path}.value`, value: "m4" }]).attributes["enterprise"] as ScimAttributes)["manager"]).toEqual({ value: "m4" });
  });
});

describe("mutability, paths and values", () => {
  const cases: [string, PatchOperation, string, RegExp][] = [
    ["id", { op: "replace", path: "id", value: "x" }, "mutability", /id is read-only/],
    ["meta.lastModified", { op: "replace", path: "meta.lastModified", value: "2020-01-01T00:00:00Z" }, "mutability", /meta\.lastModified is read-only/],
    ["groups", { op: "add", path: "groups", value: [{ value: "g" }] }, "mutability", /groups is read-only/],
    ["manager.displayName", { op: "replace", path: `${ENTERPRISE}:manager.displayName`, value: "x" }, "mutability", /manager\.displayName is read-only/],
    ["manager.$ref", { op: "replace", path: `${ENTERPRISE}:manager.$ref`, value: "x" }, "mutability", /built from .*manager\.value/],
    ["password remove", { op: "remove", path: "password" }, "mutability", /password cannot be removed/],
    ["an unknown path", { op: "replace", path: "nickNmae", value: "x" }, "invalidPath", /unknown attribute 'nickNmae'/],
    ["a filter on a single-valued attribute", { op: "replace", path: 'name[givenName eq "x"]', value: "x" }, "invalidPath", /single-valued/],
    ["a bad value type", { op: "replace", path: "active", value: "maybe" }, "invalidValue", /active must be a boolean/],
    ["a number for a string", { op: "add", path: 'emails[type eq "work"].value', value: 5 }, "invalidValue", /emails\.value must be a string/],
    ["add without value", { op: "add", path: "title" }, "invalidValue", /add needs a value/],
    ["path-less add of a scalar", { op: "add", value: "x" }, "invalidValue", /needs a value object/],
    ["a string over the limit", { op: "replace", path: "title", value: "x".repeat(1025) }, "invalidValue", /title is longer than 1024/],
    ["a 101st email", { op: "add", path: "emails", value: Array.from({ length: 99 }, (_, i) => ({ value: `e${i}` })) }, "invalidValue", /emails has 101 values; at most 100/],
  ];
  it.each(cases)("%s", (_, op, scimType, detail) => {
    const e = errorOf(() => patchUser([op]));
    expect(e).toMatchObject({ status: 400, scimType });
    expect(e.detail).toMatch(detail);
  });

  it("replace userName with an empty string fails the re-validation", () => {
    expect(errorOf(() => patchUser([{ op: "replace", path: "userName", value: "" }]))).toMatchObject({ scimType: "invalidValue", detail: "userName is required and must not be empty" });
  });

  it("an immutable attribute can be set once, not changed or removed", () => {
    const resource: ResourceTypeDef = {
      ...USER_RESOURCE,
      schema: { ...USER_SCHEMA, attributes: [...USER_SCHEMA.attributes, attr("badge", "string", "b", { mutability: "immutable" })] },
    };
    expect(applyPatch(resource, { attributes: { userName: "u" } }, [{ op: "add", path: "badge", value: "b1" }]).attributes["badge"]).toBe("b1");
    expect(applyPatch(resource, { attributes: { userName: "u", badge: "b1" } }, [{ op: "replace", path: "badge", value: "b1" }]).changed).toBe(false);
    expect(errorOf(() => applyPatch(resource, { attributes: { userName: "u", badge: "b1" } }, [{ op: "replace", path: "badge", value: "b2" }])).scimType).toBe("mutability");
    expect(errorOf(() => applyPatch(resource, { attributes: { userName: "u", badge: "b1" } }, [{ op: "remove", path: "badge" }])).scimType).toBe("mutability");
  });

  it("path-less values ignore read-only and unknown attributes and sub-attribute keys (idp-normalization rewrites those)", () => {
    const result = patchUser([{ op: "replace", value: { id: "other", meta: {}, groups: [], schemas: [], unknownThing: 1, "name.givenName": "ignored", title: "T" } }]);
    expect(result.attributes).toEqual({ ...babs(), title: "T" });
  });

  it("password goes apart, never into the attributes", () => {
    const result = patchUser([{ op: "replace", value: { password: "s3cret!" } }]);
    expect(result.password).toBe("s3cret!");
    expect(result.attributes).toEqual(babs());
    expect(result.changed).toBe(true);
    expect(patchUser([{ op: "replace", path: "PASSWORD", value: "p2" }]).password).toBe("p2");
  });

  it("is atomic: a failing operation leaves the input untouched", () => {
    const attributes = babs();
    expect(() => applyPatch(USER_RESOURCE, { attributes }, [{ op: "replace", path: "title", value: "T" }, { op: "remove", path: "userName" }])).toThrow(ScimError);
    expect(attributes).toEqual(babs());
  });

  it("add or replace with null unassigns", () => {
    expect(patchUser([{ op: "replace", path: "nickName", value: null }]).attributes).not.toHaveProperty("nickName");
    expect(patchUser([{ op: "replace", path: 'emails[type eq "home"]', value: null }]).attributes["emails"]).toEqual([{ value: "bjensen@example.com", type: "work", primary: true }]);
  });
});

describe("Group members", () => {
  it("a sequence keeps the last word per id", () => {
    const result = patchGroup([
      { op: "add", path: "members", value: [{ value: "a" }, { value: "b" }, "c"] },
      { op: "remove", path: 'members[value eq "b" or value eq "d"]' },
      { op: "add", path: "members", value: [{ value: "d" }] },
    ]);
    expect(result.members).toEqual({ removeAll: false, add: ["a", "c", "d"], remove: ["b"] });
  });

  it("members filters other than value eq are invalidFilter; sub-attributes and filtered replace are mutability", () => {
    const e = errorOf(() => patchGroup([{ op: "remove", path: 'members[display eq "Babs"]' }]));
    expect(e).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(e.detail).toMatch(/only be value eq/);
    expect(errorOf(() => patchGroup([{ op: "remove", path: 'members[value ne "x"]' }])).scimType).toBe("invalidFilter");
    expect(errorOf(() => patchGroup([{ op: "remove", path: 'members[value eq "x" and type eq "User"]' }])).scimType).toBe("invalidFilter");
    expect(errorOf(() => patchGroup([{ op: "replace", path: `members[value eq "${BABS_ID}"].display`, value: "x" }])).scimType).toBe("mutability");
    expect(errorOf(() => patchGroup([{ op: "replace", path: 'members[value eq "a"]', value: { value: "b" } }])).scimType).toBe("mutability");
    expect(errorOf(() => patchGroup([{ op: "remove", path: "members", value: [{ value: "a" }] }])).scimType).toBe("invalidValue");
  });

  it("path-less add and replace of members; a Group's displayName is replaced in the attributes", () => {
    expect(patchGroup([{ op: "add", value: { members: [{ value: "a" }] } }]).members).toEqual({ removeAll: false, add: ["a"], remove: [] });
    const result = patchGroup([{ op: "replace", value: { displayName: "New", members: [{ value: "b" }] } }]);
    expect(result.members).toEqual({ removeAll: true, add: ["b"], remove: [] });
    expect(result.attributes).toEqual({ displayName: "New" });
  });

  it("no members operation: no membership change", () => {
    const result = patchGroup([{ op: "replace", path: "externalId", value: "e1" }]);
    expect(result.members).toBeUndefined();
    expect(result.attributes).toEqual({ displayName: "Tour Guides", externalId: "e1" });
  });
});
