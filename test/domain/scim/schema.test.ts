import { describe, expect, it } from "vitest";
import { COMMON_ATTRIBUTES, findAttribute, GROUP_RESOURCE, resolveAttribute, SCIM_URN, USER_RESOURCE, type AttributeDef } from "../../../src/domain/scim/schema.js";

const summary = (path: string, resource = USER_RESOURCE) => {
  const r = resolveAttribute(resource, path);
  return r && { schema: r.schema.id, attribute: r.attribute.name, sub: r.sub?.name, storagePath: r.storagePath, scimPath: r.scimPath };
};

describe("resolveAttribute", () => {
  it("resolves core, sub-attribute and URN-qualified paths case-insensitively", () => {
    expect(summary("name.givenName")).toEqual({ schema: SCIM_URN.user, attribute: "name", sub: "givenName", storagePath: ["name", "givenName"], scimPath: "name.givenName" });
    expect(summary("NAME.GIVENNAME")).toEqual(summary("name.givenName"));
    expect(summary("urn:ietf:params:scim:schemas:core:2.0:User:userName")).toMatchObject({ attribute: "userName", storagePath: ["userName"], scimPath: "userName" });
    expect(summary("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME")).toMatchObject({ attribute: "userName" });
    expect(summary(`${SCIM_URN.enterpriseUser}:manager.value`)).toEqual({
      schema: SCIM_URN.enterpriseUser,
      attribute: "manager",
      sub: "value",
      storagePath: ["enterprise", "manager", "value"],
      scimPath: `${SCIM_URN.enterpriseUser}:manager.value`,
    });
    expect(summary("emails.value")).toMatchObject({ storagePath: ["emails", "value"] });
    expect(summary("members.value", GROUP_RESOURCE)).toMatchObject({ storagePath: ["members", "value"] });
  });

  it("resolves the common attributes of both resources", () => {
    expect(summary("id")).toMatchObject({ attribute: "id", storagePath: ["id"] });
    expect(summary("meta.lastModified")).toMatchObject({ attribute: "meta", sub: "lastModified", storagePath: ["meta", "lastModified"] });
    expect(summary("externalId", GROUP_RESOURCE)).toMatchObject({ storagePath: ["externalId"] });
    expect(summary(`${SCIM_URN.user}:id`)).toMatchObject({ attribute: "id" });
  });

  it("answers undefined for anything no schema defines", () => {
    for (const path of ["bogus", "name.bogus", "name.givenName.x", "employeeNumber", `${SCIM_URN.enterpriseUser}:userName`, `${SCIM_URN.group}:displayName`, "", "name.", `${SCIM_URN.enterpriseUser}:`]) {
      expect(summary(path), path).toBeUndefined();
    }
    expect(summary("userName", GROUP_RESOURCE)).toBeUndefined();
    expect(summary("displayName", GROUP_RESOURCE)).toMatchObject({ attribute: "displayName" });
  });
});

describe("schema data (RFC 7643 §8.7.1)", () => {
  const user = USER_RESOURCE.schema.attributes;
  const get = (list: AttributeDef[], path: string) => path.split(".").reduce<AttributeDef | undefined>((a, n) => findAttribute(a ? a.subAttributes : list, n), undefined);

  it("has every §4.1 User attribute", () => {
    expect(user.map((a) => a.name)).toEqual([
      "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "active", "password",
      "emails", "phoneNumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates",
    ]);
    expect(get(user, "userName")).toMatchObject({ required: true, uniqueness: "server", caseExact: false });
    expect(get(user, "password")).toMatchObject({ mutability: "writeOnly", returned: "never" });
    expect(get(user, "groups")).toMatchObject({ mutability: "readOnly", multiValued: true });
    expect(get(user, "groups")!.subAttributes!.map((a) => a.name)).toEqual(["value", "$ref", "display", "type"]);
    for (const plural of ["emails", "phoneNumbers", "ims", "photos", "entitlements", "roles", "x509Certificates"]) {
      expect(get(user, plural)!.subAttributes!.map((a) => a.name), plural).toEqual(["value", "display", "type", "primary"]);
    }
    expect(get(user, "emails.type")!.canonicalValues).toEqual(["work", "home", "other"]);
    expect(get(user, "x509Certificates.value")!.type).toBe("binary");
    expect(get(user, "photos.value")!.type).toBe("reference");
    expect(get(user, "addresses")!.subAttributes!.map((a) => a.name)).toContain("primary");
  });

  it("has the enterprise extension stored under 'enterprise' and the Group schema", () => {
    const ext = USER_RESOURCE.extensions[0]!;
    expect(ext).toMatchObject({ required: false, schema: { id: SCIM_URN.enterpriseUser, storageKey: "enterprise" } });
    expect(ext.schema.attributes.map((a) => a.name)).toEqual(["employeeNumber", "costCenter", "organization", "division", "department", "manager"]);
    expect(get(ext.schema.attributes, "manager.displayName")!.mutability).toBe("readOnly");
    const group = GROUP_RESOURCE.schema.attributes;
    expect(get(group, "displayName")).toMatchObject({ required: true, uniqueness: "server" });
    expect(get(group, "members.value")!.mutability).toBe("immutable");
    expect(get(group, "members.display")!.mutability).toBe("readOnly");
    expect(get(group, "members")!.description).toMatch(/nested groups are not supported/i);
  });

  it("has id always returned and case-exact, externalId case-exact", () => {
    expect(get(COMMON_ATTRIBUTES, "id")).toMatchObject({ returned: "always", caseExact: true, mutability: "readOnly" });
    expect(get(COMMON_ATTRIBUTES, "externalId")).toMatchObject({ caseExact: true, mutability: "readWrite" });
    expect(get(COMMON_ATTRIBUTES, "meta.created")!.type).toBe("dateTime");
  });
});
