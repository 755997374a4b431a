import { describe, expect, it } from "vitest";
import { project, wantsAttribute } from "../../../src/domain/scim/projection.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";

const meta = { resourceType: "User", created: "2024-01-01T00:00:00Z", lastModified: "2024-01-01T00:00:00Z", location: "https://x/scim/v2/Users/u1", version: 'W/"1"' };
const user = {
  schemas: [SCIM_URN.user, SCIM_URN.enterpriseUser],
  id: "u1",
  externalId: "e1",
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  displayName: "Babs",
  active: true,
  password: "should-never-be-here",
  emails: [
    { value: "b@example.com", type: "work", primary: true },
    { value: "babs@x.org", type: "home" },
  ],
  groups: [{ value: "g1", $ref: "https://x/scim/v2/Groups/g1", display: "Admins" }],
  [SCIM_URN.enterpriseUser]: { employeeNumber: "701984", manager: { value: "m1", displayName: "Boss" } },
  meta,
};

const keys = (o: Record<string, unknown>) => Object.keys(o).sort();

describe("project", () => {
  it("returns default attributes and never 'returned: never' ones without parameters", () => {
    const out = project(USER_RESOURCE, user, {});
    expect(out["password"]).toBeUndefined();
    expect(out).toEqual(Object.fromEntries(Object.entries(user).filter(([k]) => k !== "password")));
  });

  it("attributes: only the listed ones, plus id, schemas and meta (returned: always)", () => {
    expect(project(USER_RESOURCE, user, { attributes: "userName" })).toEqual({ schemas: user.schemas, id: "u1", userName: "bjensen", meta });
    expect(project(USER_RESOURCE, user, { attributes: "USERNAME, name.GIVENNAME ,emails.value" })).toEqual({
      schemas: user.schemas,
      id: "u1",
      userName: "bjensen",
      name: { givenName: "Barbara" },
      emails: [{ value: "b@example.com" }, { value: "babs@x.org" }],
      meta,
    });
    expect(project(USER_RESOURCE, user, { attributes: ["urn:ietf:params:scim:schemas:core:2.0:User:displayName", `${SCIM_URN.enterpriseUser}:manager.value`] })).toEqual({
      schemas: user.schemas,
      id: "u1",
      displayName: "Babs",
      [SCIM_URN.enterpriseUser]: { manager: { value: "m1" } },
      meta,
    });
    expect(project(USER_RESOURCE, user, { attributes: SCIM_URN.enterpriseUser })[SCIM_URN.enterpriseUser]).toEqual(user[SCIM_URN.enterpriseUser]);
    expect(keys(project(USER_RESOURCE, user, { attributes: "id,meta.created" }))).toEqual(["id", "meta", "schemas"]);
    expect(project(USER_RESOURCE, user, { attributes: "password" })["password"]).toBeUndefined();
  });

  it("excludedAttributes: everything else; returned: always attributes stay", () => {
    const out = project(USER_RESOURCE, user, { excludedAttributes: "emails,name.familyName,groups,id,meta,schemas" });
    expect(keys(out)).toEqual(keys(user).filter((k) => !["emails", "groups", "password"].includes(k)));
    expect(out["name"]).toEqual({ givenName: "Barbara" });
    expect(project(USER_RESOURCE, user, { excludedAttributes: "emails.type,emails.primary" })["emails"]).toEqual([{ value: "b@example.com" }, { value: "babs@x.org" }]);
    expect(project(USER_RESOURCE, user, { excludedAttributes: SCIM_URN.enterpriseUser })[SCIM_URN.enterpriseUser]).toBeUndefined();
    expect(project(USER_RESOURCE, user, { excludedAttributes: `${SCIM_URN.enterpriseUser}:employeeNumber` })[SCIM_URN.enterpriseUser]).toEqual({ manager: { value: "m1", displayName: "Boss" } });
  });

  it("ignores unknown names, and lets attributes win over excludedAttributes", () => {
    expect(project(USER_RESOURCE, user, { excludedAttributes: "bogus,name.bogus" })).toEqual(project(USER_RESOURCE, user, {}));
    expect(project(USER_RESOURCE, user, { attributes: "bogus" })).toEqual({ schemas: user.schemas, id: "u1", meta });
    expect(project(USER_RESOURCE, user, { attributes: "userName", excludedAttributes: "userName" })["userName"]).toBe("bjensen");
  });

  it("returns 'returned: request' attributes only when listed", () => {
    const resource: ResourceTypeDef = {
      ...USER_RESOURCE,
      schema: { ...USER_RESOURCE.schema, attributes: USER_RESOURCE.schema.attributes.map((a) => (a.name === "nickName" ? { ...a, returned: "request" as const } : a)) },
    };
    const withNick = { ...user, nickName: "B" };
    expect(project(resource, withNick, {})["nickName"]).toBeUndefined();
    expect(project(resource, withNick, { excludedAttributes: "title" })["nickName"]).toBeUndefined();
    expect(project(resource, withNick, { attributes: "nickName" })["nickName"]).toBe("B");
  });
});

describe("wantsAttribute", () => {
  it("tells a route whether to read a Group's members", () => {
    expect(wantsAttribute(GROUP_RESOURCE, {}, "members")).toBe(true);
    expect(wantsAttribute(GROUP_RESOURCE, { excludedAttributes: "members" }, "members")).toBe(false);
    expect(wantsAttribute(GROUP_RESOURCE, { excludedAttributes: "MEMBERS" }, "members")).toBe(false);
    expect(wantsAttribute(GROUP_RESOURCE, { excludedAttributes: "urn:ietf:params:scim:schemas:core:2.0:Group:members" }, "members")).toBe(false);
    expect(wantsAttribute(GROUP_RESOURCE, { excludedAttributes: "members.display" }, "members")).toBe(true);
    expect(wantsAttribute(GROUP_RESOURCE, { attributes: "displayName" }, "members")).toBe(false);
    expect(wantsAttribute(GROUP_RESOURCE, { attributes: "members.value" }, "members")).toBe(true);
    expect(wantsAttribute(USER_RESOURCE, { attributes: "userName" }, "groups")).toBe(false);
    expect(wantsAttribute(USER_RESOURCE, { excludedAttributes: "emails" }, "groups")).toBe(true);
    expect(() => wantsAttribute(GROUP_RESOURCE, {}, "bogus")).toThrow(/no attribute bogus/);
  });
});
