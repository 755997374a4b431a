import { describe, expect, it } from "vitest";
import { readReplacementInput, readResourceInput, validateStoredAttributes } from "../../../src/domain/scim/resource-input.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import { attr, GROUP_RESOURCE, SCIM_URN, USER_RESOURCE, USER_SCHEMA, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";

const ENTERPRISE = SCIM_URN.enterpriseUser;

/** The ScimError a call throws, as {status, scimType, detail}. */
function errorOf(fn: () => unknown): { status: number; scimType: string | undefined; detail: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return { status: e.status, scimType: e.scimType, detail: e.detail };
    throw e;
  }
  throw new Error("expected a ScimError");
}

describe("readResourceInput: User bodies identity providers send", () => {
  it("Okta's Create User body (https://developer.okta.com/docs/reference/scim/scim-20/): password apart, groups ignored", () => {
    const input = readResourceInput(USER_RESOURCE, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "test.user@okta.local",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
      displayName: "Test User",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    });
    expect(input).toEqual({
      attributes: {
        userName: "test.user@okta.local",
        name: { givenName: "Test", familyName: "User" },
        emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
        displayName: "Test User",
        locale: "en-US",
        externalId: "00ujl29u0le5T6Aj10h7",
        active: true,
      },
      password: "1mz050nq",
    });
  });

  it("Entra's Create User body (learn.microsoft.com .../use-scim-to-provision-users-and-groups): meta ignored, empty roles unassigned", () => {
    const input = readResourceInput(USER_RESOURCE, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    });
    expect(input.attributes).toEqual({
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
    });
    expect(input.password).toBeUndefined();
  });

  it("Entra's schema example: the enterprise object with a capitalised, bare-id Manager; a custom extension is ignored", () => {
    const input = readResourceInput(USER_RESOURCE, {
      schemas: [SCIM_URN.user, ENTERPRISE, "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"],
      userName: "bjensen@testuser.com",
      id: "48af03ac28ad4fb88478",
      externalId: "bjensen",
      name: { familyName: "Jensen", givenName: "Barbara" },
      [ENTERPRISE]: { Manager: "123456" },
      "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User": { tag: "701984" },
      meta: { resourceType: "User", created: "2010-01-23T04:56:22Z", version: 'W\\/"3694e05e9dff591"' },
    });
    expect(input.attributes).toEqual({
      userName: "bjensen@testuser.com",
      externalId: "bjensen",
      name: { familyName: "Jensen", givenName: "Barbara" },
      enterprise: { manager: { value: "123456" } },
    });
  });

  it("matches names case-insensitively to their canonical form, accepts URN-qualified keys, ignores unknown ones", () => {
    const input = readResourceInput(USER_RESOURCE, {
      USERNAME: "bjensen",
      "urn:ietf:params:scim:schemas:core:2.0:User:displayName": "Babs",
      [`${ENTERPRISE}:department`]: "Tour Operations",
      Emails: [{ VALUE: "b@example.com", Type: "work" }],
      nickname: "Babs",
      userNmae: "misspelt",
      "name.givenName": "ignored: a sub-attribute key",
      enterprise: { department: "not the storage key" },
      emails2: [],
    });
    expect(input.attributes).toEqual({
      userName: "bjensen",
      displayName: "Babs",
      enterprise: { department: "Tour Operations" },
      emails: [{ value: "b@example.com", type: "work" }],
      nickName: "Babs",
    });
  });

  it("drops read-only sub-attributes and every $ref; keeps values exactly as sent", () => {
    const input = readResourceInput(USER_RESOURCE, {
      userName: "u",
      locale: "en_US",
      timezone: "America/Los_Angeles",
      phoneNumbers: [{ value: "55555555555", type: "work" }],
      name: { middleName: "" },
      [ENTERPRISE]: { manager: { value: "m1", $ref: "https://elsewhere/Users/m1", displayName: "The Boss" } },
    });
    expect(input.attributes).toEqual({
      userName: "u",
      locale: "en_US",
      timezone: "America/Los_Angeles",
      phoneNumbers: [{ value: "55555555555", type: "work" }],
      name: { middleName: "" },
      enterprise: { manager: { value: "m1" } },
    });
  });

  it("accepts Entra's string booleans in any case", () => {
    expect(readResourceInput(USER_RESOURCE, { userName: "u", active: "False" }).attributes["active"]).toBe(false);
    expect(readResourceInput(USER_RESOURCE, { userName: "u", active: "TRUE", emails: [{ value: "a", primary: "true" }] }).attributes).toMatchObject({
      active: true,
      emails: [{ value: "a", primary: true }],
    });
  });

  it("an empty manager reference means no manager", () => {
    expect(readResourceInput(USER_RESOURCE, { userName: "u", [ENTERPRISE]: { manager: "" } }).attributes).toEqual({ userName: "u" });
    expect(readResourceInput(USER_RESOURCE, { userName: "u", [ENTERPRISE]: { manager: { value: "" }, department: "D" } }).attributes).toEqual({
      userName: "u",
      enterprise: { department: "D" },
    });
  });

  it("keeps the last value marked primary and sets the others false", () => {
    const emails = readResourceInput(USER_RESOURCE, {
      userName: "u",
      emails: [
        { value: "a", primary: true },
        { value: "b" },
        { value: "c", primary: true },
      ],
    }).attributes["emails"];
    expect(emails).toEqual([{ value: "a", primary: false }, { value: "b" }, { value: "c", primary: true }]);
  });
});

describe("readResourceInput: refusals name the attribute and the rule", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["a missing userName", { displayName: "x" }, "invalidValue", /userName is required/],
    ["an empty userName", { userName: "" }, "invalidValue", /userName is required/],
    ["a number for a string", { userName: "u", title: 7 }, "invalidValue", /^title must be a string/],
    ["a non-boolean active", { userName: "u", active: "yes" }, "invalidValue", /^active must be a boolean/],
    ["an array for a single-valued attribute", { userName: ["a"] }, "invalidValue", /^userName is single-valued/],
    ["a scalar for a complex attribute", { userName: "u", name: 5 }, "invalidValue", /^name must be an object/],
    ["a bad sub-attribute type", { userName: "u", emails: [{ value: "a" }, { value: "b", primary: "maybe" }] }, "invalidValue", /^emails\[1\]\.primary must be a boolean/],
    ["a string over 1,024 code points", { userName: "u", title: "é".repeat(1025) }, "invalidValue", /^title is longer than 1024 characters \(1025\)/],
    ["a NUL character", { userName: "a\u0000b" }, "invalidValue", /^userName must not contain control characters/],
    ["an unpaired surrogate", { userName: "a\ud800" }, "invalidValue", /^userName contains an unpaired UTF-16 surrogate/],
    ["101 emails", { userName: "u", emails: Array.from({ length: 101 }, (_, i) => ({ value: `e${i}` })) }, "invalidValue", /^emails has 101 values; at most 100/],
    ["a password that is not a string", { userName: "u", password: 1234 }, "invalidValue", /^password must be a string/],
    ["an extension that is not an object", { userName: "u", [ENTERPRISE]: "x" }, "invalidValue", /must be an object/],
    ["a Group schema in a User body", { schemas: [SCIM_URN.group], userName: "u" }, "invalidSyntax", /schemas names urn:ietf:params:scim:schemas:core:2.0:Group, but \/Users takes User/],
    ["a PatchOp body", { schemas: [SCIM_URN.patchOp], Operations: [] }, "invalidSyntax", /schemas names the message/],
    ["schemas that is not an array of strings", { schemas: SCIM_URN.user, userName: "u" }, "invalidSyntax", /schemas must be an array/],
  ];
  it.each(cases)("%s", (_, body, scimType, detail) => {
    const e = errorOf(() => readResourceInput(USER_RESOURCE, body));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(scimType);
    expect(e.detail).toMatch(detail);
  });

  it("a body that is no object is invalidSyntax", () => {
    expect(errorOf(() => readResourceInput(USER_RESOURCE, [])).scimType).toBe("invalidSyntax");
    expect(errorOf(() => readResourceInput(USER_RESOURCE, "x")).scimType).toBe("invalidSyntax");
  });

  it("allows tab, line feed and carriage return, 1,024 code points, 16,384 in a certificate, 100 values", () => {
    const astral = "😀".repeat(1024); // 2,048 UTF-16 units, 1,024 code points
    const input = readResourceInput(USER_RESOURCE, {
      userName: astral,
      addresses: [{ formatted: "911 Universal City Plaza\nHollywood, CA 91608 US\r\n\tx" }],
      x509Certificates: [{ value: "M".repeat(16_384) }],
      emails: Array.from({ length: 100 }, (_, i) => ({ value: `e${i}` })),
    });
    expect(input.attributes["userName"]).toBe(astral);
    expect(errorOf(() => readResourceInput(USER_RESOURCE, { userName: "u", x509Certificates: [{ value: "M".repeat(16_385) }] })).detail).toMatch(
      /^x509Certificates\[0\]\.value is longer than 16384/,
    );
  });

  it("checks dateTime, integer and decimal types", () => {
    const resource: ResourceTypeDef = {
      ...USER_RESOURCE,
      schema: { ...USER_SCHEMA, attributes: [...USER_SCHEMA.attributes, attr("hired", "dateTime", "d"), attr("level", "integer", "i"), attr("score", "decimal", "s")] },
    };
    expect(readResourceInput(resource, { userName: "u", hired: "2024-05-01T12:00:00+02:00", level: 3, score: 2.5 }).attributes).toMatchObject({
      hired: "2024-05-01T12:00:00+02:00",
      level: 3,
      score: 2.5,
    });
    expect(errorOf(() => readResourceInput(resource, { userName: "u", hired: "2024-13-45T12:00:00Z" })).detail).toMatch(/^hired must be an xsd:dateTime/);
    expect(errorOf(() => readResourceInput(resource, { userName: "u", level: 1.5 })).detail).toMatch(/^level must be an integer/);
    expect(errorOf(() => readResourceInput(resource, { userName: "u", score: "1" })).detail).toMatch(/^score must be a number/);
  });
});

describe("readResourceInput: Groups", () => {
  it("Okta's Create Group body: members apart from the attributes", () => {
    expect(readResourceInput(GROUP_RESOURCE, { schemas: [SCIM_URN.group], displayName: "Test SCIMv2", members: [] })).toEqual({
      attributes: { displayName: "Test SCIMv2" },
      members: [],
    });
  });

  it("Entra's Create Group body: a Microsoft schema URN and meta are ignored; no members means undefined", () => {
    const input = readResourceInput(GROUP_RESOURCE, {
      schemas: [SCIM_URN.group, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "displayName",
      meta: { resourceType: "Group" },
    });
    expect(input).toEqual({ attributes: { externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", displayName: "displayName" } });
  });

  it("member objects and bare ids, deduplicated in order; display, type and $ref ignored", () => {
    const input = readResourceInput(GROUP_RESOURCE, {
      displayName: "g",
      members: [{ value: "u1", display: "One", $ref: null }, "u2", { Value: "u1", type: "User" }],
    });
    expect(input.members).toEqual(["u1", "u2"]);
    expect(input.attributes).toEqual({ displayName: "g" });
  });

  it("more than 100 members are fine; a member without a value is not", () => {
    expect(readResourceInput(GROUP_RESOURCE, { displayName: "g", members: Array.from({ length: 1000 }, (_, i) => `u${i}`) }).members).toHaveLength(1000);
    expect(errorOf(() => readResourceInput(GROUP_RESOURCE, { displayName: "g", members: [{ display: "x" }] })).detail).toMatch(/^members\[0\]\.value must be the id of a User/);
  });

  it("displayName is required; a User schema in a Group body is refused", () => {
    expect(errorOf(() => readResourceInput(GROUP_RESOURCE, { externalId: "x" })).detail).toMatch(/displayName is required/);
    expect(errorOf(() => readResourceInput(GROUP_RESOURCE, { schemas: [SCIM_URN.user], displayName: "g" })).scimType).toBe("invalidSyntax");
  });
});

describe("readReplacementInput (PUT)", () => {
  it("keeps the current active when the body omits it; an explicit false deactivates (Okta AIW deactivates by PUT)", () => {
    expect(readReplacementInput(USER_RESOURCE, { userName: "u" }, { userName: "u", active: true, title: "t" }).attributes).toEqual({ userName: "u", active: true });
    expect(readReplacementInput(USER_RESOURCE, { userName: "u", active: false }, { userName: "u", active: true }).attributes).toEqual({ userName: "u", active: false });
  });

  it("refuses to change an immutable attribute that has a value, allows setting it the first time", () => {
    const resource: ResourceTypeDef = {
      ...USER_RESOURCE,
      schema: { ...USER_SCHEMA, attributes: [...USER_SCHEMA.attributes, attr("badge", "string", "b", { mutability: "immutable" })] },
    };
    expect(readReplacementInput(resource, { userName: "u", badge: "b1" }, { userName: "u" }).attributes["badge"]).toBe("b1");
    expect(readReplacementInput(resource, { userName: "u", badge: "b1" }, { userName: "u", badge: "b1" }).attributes["badge"]).toBe("b1");
    const e = errorOf(() => readReplacementInput(resource, { userName: "u", badge: "b2" }, { userName: "u", badge: "b1" }));
    expect(e).toMatchObject({ status: 400, scimType: "mutability" });
    expect(e.detail).toMatch(/badge is immutable/);
  });
});

describe("validateStoredAttributes", () => {
  it("returns stored attributes unchanged when they are valid, enterprise included", () => {
    const stored = { userName: "u", emails: [{ value: "a", primary: true }], enterprise: { department: "d", manager: { value: "m" } } };
    expect(validateStoredAttributes(USER_RESOURCE, stored)).toEqual(stored);
  });

  it("throws what a body with these attributes would get", () => {
    expect(errorOf(() => validateStoredAttributes(USER_RESOURCE, { emails: [{ value: "a" }] })).detail).toMatch(/userName is required/);
    expect(errorOf(() => validateStoredAttributes(USER_RESOURCE, { userName: "u", enterprise: { department: 5 } })).detail).toBe(`${ENTERPRISE}:department must be a string`);
  });
});
