/**
 * The identity-provider PATCH forms scim.md lists, each with the body its provider documents:
 * - Okta: "SCIM 2.0 Protocol Reference", https://developer.okta.com/docs/reference/scim/scim-20/
 * - Entra, compat page: "Known issues and resolutions with SCIM 2.0 protocol compliance",
 *   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 * - Entra, tutorial: "Tutorial: Develop and plan provisioning for a SCIM endpoint",
 *   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
 * Each goes through normalizePatchRequest then applyPatch, as the PATCH route will.
 */
import { describe, expect, it } from "vitest";
import { normalizePatchRequest } from "../../../src/domain/scim/idp-normalization.js";
import { applyPatch } from "../../../src/domain/scim/patch-engine.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";
import type { ScimAttributes } from "../../../src/domain/scim/scim-record.js";

const ENTERPRISE = SCIM_URN.enterpriseUser;
const PATCH_OP = ["urn:ietf:params:scim:api:messages:2.0:PatchOp"];

function patch(resource: ResourceTypeDef, attributes: ScimAttributes, body: unknown, resourceId = "the-id") {
  return applyPatch(resource, { attributes }, normalizePatchRequest(resource, body, { resourceId }));
}

function errorOf(fn: () => unknown): { status: number; scimType: string | undefined; detail: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return { status: e.status, scimType: e.scimType, detail: e.detail };
    throw e;
  }
  throw new Error("expected a ScimError");
}

const oktaUser = (): ScimAttributes => ({
  userName: "test.user@okta.local",
  name: { givenName: "Another", middleName: "", familyName: "User" },
  emails: [{ primary: true, value: "test.user@okta.local", type: "work", display: "test.user@okta.local" }],
  active: true,
});

describe("Okta (https://developer.okta.com/docs/reference/scim/scim-20/)", () => {
  it("Update a specific User (PATCH): path-less replace {active: false}", () => {
    const result = patch(USER_RESOURCE, oktaUser(), { schemas: PATCH_OP, Operations: [{ op: "replace", value: { active: false } }] });
    expect(result.attributes).toEqual({ ...oktaUser(), active: false });
  });

  it("Update a specific Group name: path-less replace carrying the group's own id", () => {
    const id = "abf4dd94-a4c0-4f67-89c9-76b03340cb9b";
    const body = { schemas: PATCH_OP, Operations: [{ op: "replace", value: { id, displayName: "Test SCIMv2" } }] };
    expect(normalizePatchRequest(GROUP_RESOURCE, body, { resourceId: id })).toEqual([{ op: "replace", value: { displayName: "Test SCIMv2" }, source: 0 }]);
    expect(patch(GROUP_RESOURCE, { displayName: "Old" }, body, id).attributes).toEqual({ displayName: "Test SCIMv2" });
    const e = errorOf(() => patch(GROUP_RESOURCE, { displayName: "Old" }, body, "another-group"));
    expect(e).toMatchObject({ status: 400, scimType: "mutability" });
    expect(e.detail).toMatch(/id is read-only/);
  });

  it("Update specific Group membership: remove members[value eq] and add members in one request", () => {
    const result = patch(GROUP_RESOURCE, { displayName: "Test SCIMv2" }, {
      schemas: PATCH_OP,
      Operations: [
        { op: "remove", path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        { op: "add", path: "members", value: [{ value: "23a35c27-23d3-4c03-b4c5-6443c09e7173", display: "test.user@okta.local" }] },
      ],
    });
    expect(result.members).toEqual({ removeAll: false, add: ["23a35c27-23d3-4c03-b4c5-6443c09e7173"], remove: ["89bb1940-b905-4575-9e7f-6f887cfb368e"] });
  });

  it("full push of the membership with replace", () => {
    const result = patch(GROUP_RESOURCE, { displayName: "Test SCIMv2" }, {
      schemas: PATCH_OP,
      Operations: [
        {
          op: "replace",
          path: "members",
          value: [
            { value: "23a35c27-23d3-4c03-b4c5-6443c09e7173", display: "test.user@okta.local" },
            { value: "89bb1940-b905-4575-9e7f-6f887cfb368e", display: "test.user@okta.local" },
          ],
        },
      ],
    });
    expect(result.members).toEqual({ removeAll: true, add: ["23a35c27-23d3-4c03-b4c5-6443c09e7173", "89bb1940-b905-4575-9e7f-6f887cfb368e"], remove: [] });
  });
});

const entraUser = (): ScimAttributes => ({
  userName: "Test_User_fbb9dda4-fcde-4f98-a68b-6c5599e17c27",
  externalId: "6c75de36-30fa-4d2d-a196-6bdcdb6b6539",
  name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
  active: true,
  emails: [{ value: "Test_User@testuser.com", type: "work", primary: true }],
});

describe("Microsoft Entra ID, compat page (application-provisioning-config-problem-scim-compatibility)", () => {
  it('Requests made to disable users, without the flag: {"op":"Replace","path":"active","value":"False"}', () => {
    const result = patch(USER_RESOURCE, entraUser(), { schemas: PATCH_OP, Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(result.attributes["active"]).toBe(false);
  });

  it("Requests made to disable users, with the flag (aadOptscim062020): a real boolean", () => {
    expect(patch(USER_RESOURCE, entraUser(), { schemas: PATCH_OP, Operations: [{ op: "replace", path: "active", value: false }] }).attributes["active"]).toBe(false);
  });

  it('Requests to add a single-value string attribute, without the flag: "op": "Add"', () => {
    expect(patch(USER_RESOURCE, entraUser(), { schemas: PATCH_OP, Operations: [{ op: "Add", path: "nickName", value: "Babs" }] }).attributes["nickName"]).toBe("Babs");
  });

  it("Requests to replace multiple attributes, without the flag: one Replace per path", () => {
    const result = patch(USER_RESOURCE, entraUser(), {
      schemas: PATCH_OP,
      Operations: [
        { op: "Replace", path: "displayName", value: "Pvlo" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "TestBcwqnm@test.microsoft.com" },
        { op: "Replace", path: "name.givenName", value: "Gtfd" },
        { op: "Replace", path: "name.familyName", value: "Pkqf" },
        { op: "Replace", path: "externalId", value: "Eqpj" },
        { op: "Replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", value: "Eqpj" },
      ],
    });
    expect(result.attributes).toEqual({
      userName: "Test_User_fbb9dda4-fcde-4f98-a68b-6c5599e17c27",
      externalId: "Eqpj",
      name: { formatted: "givenName familyName", familyName: "Pkqf", givenName: "Gtfd" },
      active: true,
      emails: [{ value: "TestBcwqnm@test.microsoft.com", type: "work", primary: true }],
      displayName: "Pvlo",
      enterprise: { employeeNumber: "Eqpj" },
    });
  });

  it("Requests to replace multiple attributes, with the flag: a path-less replace with dotted and URN-qualified keys", () => {
    const body = {
      schemas: PATCH_OP,
      Operations: [
        { op: "replace", path: 'emails[type eq "work"].value', value: "TestMhvaes@test.microsoft.com" },
        {
          op: "replace",
          value: {
            displayName: "Bjfe",
            "name.givenName": "Kkom",
            "name.familyName": "Unua",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq",
          },
        },
      ],
    };
    expect(normalizePatchRequest(USER_RESOURCE, body, { resourceId: "x" })).toEqual([
      { op: "replace", path: 'emails[type eq "work"].value', value: "TestMhvaes@test.microsoft.com", createWhenNoMatch: { type: "work" }, source: 0 },
      { op: "replace", value: { displayName: "Bjfe" }, source: 1 },
      { op: "replace", path: "name.givenName", value: "Kkom", source: 1 },
      { op: "replace", path: "name.familyName", value: "Unua", source: 1 },
      { op: "replace", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", value: "Aklq", source: 1 },
    ]);
    expect(patch(USER_RESOURCE, entraUser(), body).attributes).toEqual({
      ...entraUser(),
      name: { formatted: "givenName familyName", familyName: "Unua", givenName: "Kkom" },
      emails: [{ value: "TestMhvaes@test.microsoft.com", type: "work", primary: true }],
      displayName: "Bjfe",
      enterprise: { employeeNumber: "Aklq" },
    });
  });

  it("without normalization the engine ignores such keys (so the rule above is what applies them)", () => {
    const result = applyPatch(USER_RESOURCE, { attributes: entraUser() }, [{ op: "replace", value: { "name.givenName": "Kkom" } }]);
    expect(result.attributes).toEqual(entraUser());
  });

  it('Requests made to remove a group member, without the flag: {"op":"Remove","path":"members","value":[{"value":"u1091"}]} removes exactly those', () => {
    const body = { schemas: PATCH_OP, Operations: [{ op: "Remove", path: "members", value: [{ value: "u1091" }] }] };
    expect(normalizePatchRequest(GROUP_RESOURCE, body, { resourceId: "g" })).toEqual([{ op: "remove", path: 'members[value eq "u1091"]', source: 0 }]);
    expect(patch(GROUP_RESOURCE, { displayName: "g" }, body).members).toEqual({ removeAll: false, add: [], remove: ["u1091"] });
  });

  it("Requests made to remove a group member, with the flag: members[value eq]", () => {
    const body = { schemas: PATCH_OP, Operations: [{ op: "remove", path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }] };
    expect(patch(GROUP_RESOURCE, { displayName: "g" }, body).members).toEqual({ removeAll: false, add: [], remove: ["7f4bc1a3-285e-48ae-8202-5accb43efb0e"] });
  });
});

describe("Microsoft Entra ID, tutorial (use-scim-to-provision-users-and-groups)", () => {
  it("Update User [Multi-valued properties]", () => {
    const result = patch(USER_RESOURCE, entraUser(), {
      schemas: PATCH_OP,
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    });
    expect(result.attributes["emails"]).toEqual([{ value: "updatedEmail@microsoft.com", type: "work", primary: true }]);
    expect(result.attributes["name"]).toEqual({ formatted: "givenName familyName", familyName: "updatedFamilyName", givenName: "givenName" });
  });

  it("Update User [Single-valued properties] and Disable User (Operations before schemas)", () => {
    const renamed = patch(USER_RESOURCE, entraUser(), {
      schemas: PATCH_OP,
      Operations: [{ op: "Replace", path: "userName", value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" }],
    });
    expect(renamed.attributes["userName"]).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    const disabled = patch(USER_RESOURCE, entraUser(), { Operations: [{ op: "Replace", path: "active", value: false }], schemas: PATCH_OP });
    expect(disabled.attributes["active"]).toBe(false);
  });

  it("Update Group [Non-member attributes], [Add Members] and [Remove Members] ($ref: null)", () => {
    expect(patch(GROUP_RESOURCE, { displayName: "displayName" }, {
      schemas: PATCH_OP,
      Operations: [{ op: "Replace", path: "displayName", value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" }],
    }).attributes).toEqual({ displayName: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" });
    expect(patch(GROUP_RESOURCE, { displayName: "g" }, {
      schemas: PATCH_OP,
      Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }],
    }).members).toEqual({ removeAll: false, add: ["f648f8d5ea4e4cd38e9c"], remove: [] });
    expect(patch(GROUP_RESOURCE, { displayName: "g" }, {
      schemas: PATCH_OP,
      Operations: [{ op: "Remove", path: "members", value: [{ $ref: null, value: "f648f8d5ea4e4cd38e9c" }] }],
    }).members).toEqual({ removeAll: false, add: [], remove: ["f648f8d5ea4e4cd38e9c"] });
  });

  it("type-eq value paths create the element when none matches (attribute table: mail, mobile, postalCode)", () => {
    const result = patch(USER_RESOURCE, { userName: "u" }, {
      schemas: PATCH_OP,
      Operations: [
        { op: "Add", path: 'emails[type eq "work"].value', value: "u@contoso.com" },
        { op: "Replace", path: 'phoneNumbers[type eq "mobile"].value', value: "+1 (555) 555-0100" },
        { op: "Add", path: 'addresses[type eq "work"].locality', value: "Redmond" },
        { op: "Replace", path: 'addresses[type eq "work"].postalCode', value: "98052" },
      ],
    });
    expect(result.attributes).toEqual({
      userName: "u",
      emails: [{ type: "work", value: "u@contoso.com" }],
      phoneNumbers: [{ type: "mobile", value: "+1 (555) 555-0100" }],
      addresses: [{ type: "work", locality: "Redmond", postalCode: "98052" }],
    });
  });

  it("the creation rule is only for a single type eq: other filters that match nothing stay noTarget", () => {
    const body = (path: string) => ({ schemas: PATCH_OP, Operations: [{ op: "Replace", path, value: "x" }] });
    expect(errorOf(() => patch(USER_RESOURCE, { userName: "u" }, body('emails[type eq "work" and primary eq true].value'))).scimType).toBe("noTarget");
    expect(errorOf(() => patch(USER_RESOURCE, { userName: "u" }, body('emails[value eq "a@b"].type'))).scimType).toBe("noTarget");
    expect(errorOf(() => patch(USER_RESOURCE, { userName: "u" }, body('emails[type ne "work"].value'))).scimType).toBe("noTarget");
  });

  it("the enterprise manager as a bare id and as {value}; booleans as strings inside values and value paths", () => {
    const result = patch(USER_RESOURCE, entraUser(), {
      schemas: PATCH_OP,
      Operations: [
        { op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", value: "123456" },
        { op: "Replace", path: 'emails[type eq "work"].primary', value: "False" },
        { op: "Replace", value: { active: "FALSE" } },
      ],
    });
    expect(result.attributes).toMatchObject({ active: false, enterprise: { manager: { value: "123456" } }, emails: [{ primary: false }] });
    const again = patch(USER_RESOURCE, result.attributes, {
      schemas: PATCH_OP,
      Operations: [{ op: "Replace", path: `${ENTERPRISE}:manager`, value: { value: "654321" } }],
    });
    expect(again.attributes["enterprise"]).toEqual({ manager: { value: "654321" } });
    const cleared = patch(USER_RESOURCE, again.attributes, { schemas: PATCH_OP, Operations: [{ op: "Remove", path: `${ENTERPRISE}:manager` }] });
    expect(cleared.attributes).not.toHaveProperty("enterprise");
  });
});

describe("normalizePatchRequest: structure", () => {
  const cases: [string, unknown, RegExp][] = [
    ["a body that is no object", [], /must be a JSON object/],
    ["no schemas", { Operations: [{ op: "add", path: "title", value: "x" }] }, /schemas must be/],
    ["a resource schema instead of PatchOp", { schemas: [SCIM_URN.user], Operations: [{ op: "add", path: "title", value: "x" }] }, /schemas must be/],
    ["no Operations", { schemas: PATCH_OP }, /Operations must be a non-empty array/],
    ["empty Operations", { schemas: PATCH_OP, Operations: [] }, /Operations must be a non-empty array/],
    ["an operation that is no object", { schemas: PATCH_OP, Operations: ["add"] }, /Operations\[0\] must be an object/],
    ["an unknown op", { schemas: PATCH_OP, Operations: [{ op: "add", path: "title", value: "x" }, { op: "copy", path: "title" }] }, /Operations\[1\]\.op must be "add", "replace" or "remove", not "copy"/],
    ["a missing op", { schemas: PATCH_OP, Operations: [{ path: "title" }] }, /not missing/],
    ["a path that is no string", { schemas: PATCH_OP, Operations: [{ op: "remove", path: 5 }] }, /Operations\[0\]\.path must be a string/],
  ];
  it.each(cases)("%s is invalidSyntax", (_, body, detail) => {
    const e = errorOf(() => normalizePatchRequest(USER_RESOURCE, body, { resourceId: "x" }));
    expect(e).toMatchObject({ status: 400, scimType: "invalidSyntax" });
    expect(e.detail).toMatch(detail);
  });

  it("member names and ops in any case; an empty path is no path", () => {
    expect(normalizePatchRequest(USER_RESOURCE, { SCHEMAS: PATCH_OP, operations: [{ OP: "REPLACE", Path: "", Value: { title: "T" } }] }, { resourceId: "x" })).toEqual([
      { op: "replace", value: { title: "T" }, source: 0 },
    ]);
  });

  it("an empty Entra member list removes nothing; a member without value is invalidValue", () => {
    expect(normalizePatchRequest(GROUP_RESOURCE, { schemas: PATCH_OP, Operations: [{ op: "Remove", path: "members", value: [] }] }, { resourceId: "g" })).toEqual([]);
    expect(errorOf(() => normalizePatchRequest(GROUP_RESOURCE, { schemas: PATCH_OP, Operations: [{ op: "Remove", path: "members", value: [{}] }] }, { resourceId: "g" })).scimType).toBe(
      "invalidValue",
    );
  });

  it("errors name the operation of the request, also after a rewrite into several", () => {
    const e = errorOf(() =>
      patch(USER_RESOURCE, { userName: "u" }, {
        schemas: PATCH_OP,
        Operations: [{ op: "replace", value: { title: "T", "name.givenName": "G", "emails[type eq \"home\"].value": 7 } }],
      }),
    );
    expect(e).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect(e.detail).toBe('Operations[0] (replace "emails[type eq \\"home\\"].value"): emails.value must be a string');
    expect(errorOf(() => normalizePatchRequest(USER_RESOURCE, { schemas: PATCH_OP, Operations: [{ op: "add", path: "title", value: "x" }, { op: "add", path: "emails[type eq]", value: "x" }] }, { resourceId: "x" })).detail).toMatch(
      /^Operations\[1\] \(add "emails\[type eq\]"\): Invalid path/,
    );
  });

  it("ids with quotes and backslashes survive the rewrite into a filter", () => {
    const id = 'we"ird\\id';
    const result = patch(GROUP_RESOURCE, { displayName: "g" }, { schemas: PATCH_OP, Operations: [{ op: "Remove", path: "members", value: [id] }] });
    expect(result.members?.remove).toEqual([id]);
  });
});
