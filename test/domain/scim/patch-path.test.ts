import { describe, expect, it } from "vitest";
import { evaluateElementFilter, formatElementFilter, parsePatchPath } from "../../../src/domain/scim/filter.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE } from "../../../src/domain/scim/schema.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";

const summary = (text: string, resource = USER_RESOURCE) => {
  const p = parsePatchPath(resource, text);
  return {
    attribute: p.attribute.scimPath,
    storagePath: p.attribute.storagePath,
    ...(p.filter ? { filter: formatElementFilter(p.filter) } : {}),
    ...(p.subAttribute ? { subAttribute: p.subAttribute.name } : {}),
  };
};

function pathError(text: string, resource = USER_RESOURCE): ScimError {
  try {
    parsePatchPath(resource, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    expect((e as ScimError).status).toBe(400);
    expect((e as ScimError).scimType).toBe("invalidPath");
    return e as ScimError;
  }
  throw new Error(`parsed: ${text}`);
}

describe("PATCH paths of RFC 7644 §3.5.2", () => {
  it("attrPath, attrPath.sub and URN-qualified paths", () => {
    expect(summary("members", GROUP_RESOURCE)).toEqual({ attribute: "members", storagePath: ["members"] });
    expect(summary("name.familyName")).toEqual({ attribute: "name.familyName", storagePath: ["name", "familyName"] });
    expect(summary("NAME.FAMILYNAME")).toEqual({ attribute: "name.familyName", storagePath: ["name", "familyName"] });
    expect(summary(`${SCIM_URN.enterpriseUser}:employeeNumber`)).toEqual({ attribute: `${SCIM_URN.enterpriseUser}:employeeNumber`, storagePath: ["enterprise", "employeeNumber"] });
    expect(summary(`${SCIM_URN.enterpriseUser}:manager.value`)).toMatchObject({ storagePath: ["enterprise", "manager", "value"] });
    expect(summary(`${SCIM_URN.user}:name.givenName`)).toMatchObject({ storagePath: ["name", "givenName"] });
    expect(summary("emails.value")).toMatchObject({ storagePath: ["emails", "value"] });
  });

  it("valuePath[filter] and valuePath[filter].sub", () => {
    expect(summary('addresses[type eq "work"]')).toEqual({ attribute: "addresses", storagePath: ["addresses"], filter: 'type eq "work"' });
    expect(summary('members[value eq "2819c223-7f76-453a-919d-413861904646"]', GROUP_RESOURCE)).toMatchObject({
      attribute: "members",
      filter: 'value eq "2819c223-7f76-453a-919d-413861904646"',
    });
    expect(summary('emails[type eq "work" and value ew "example.com"]')).toMatchObject({ filter: 'type eq "work" and value ew "example.com"' });
    expect(summary('addresses[type eq "work"].streetAddress')).toEqual({
      attribute: "addresses",
      storagePath: ["addresses"],
      filter: 'type eq "work"',
      subAttribute: "streetAddress",
    });
    expect(summary('emails[type eq "work"].value')).toMatchObject({ subAttribute: "value" });
    expect(summary('phoneNumbers[type eq "mobile"].value')).toMatchObject({ subAttribute: "value" });
    expect(summary('EMAILS[TYPE EQ "work"].VALUE')).toMatchObject({ attribute: "emails", subAttribute: "value" });
  });

  it("value-path filters evaluate on one stored element", () => {
    const { filter } = parsePatchPath(USER_RESOURCE, 'emails[type eq "work" and value ew "example.com"]');
    expect(evaluateElementFilter(filter!, { value: "a@EXAMPLE.com", type: "Work" })).toBe(true);
    expect(evaluateElementFilter(filter!, { value: "a@example.org", type: "work" })).toBe(false);
    expect(evaluateElementFilter(filter!, { value: "a@example.com" })).toBe(false);
    const members = parsePatchPath(GROUP_RESOURCE, 'members[value eq "ABC"]').filter!;
    expect(evaluateElementFilter(members, { value: "abc" })).toBe(true); // members.value is caseExact=false in RFC 7643 §8.7.1
    const not = parsePatchPath(USER_RESOURCE, 'emails[not (type eq "work") or primary eq true]').filter!;
    expect(evaluateElementFilter(not, { value: "x", type: "home" })).toBe(true);
    expect(evaluateElementFilter(not, { value: "x", type: "work", primary: true })).toBe(true);
    expect(evaluateElementFilter(not, { value: "x", type: "work" })).toBe(false);
    const present = parsePatchPath(USER_RESOURCE, "emails[display pr]").filter!;
    expect(evaluateElementFilter(present, { value: "x", display: "" })).toBe(false);
    expect(evaluateElementFilter(present, { value: "x", display: "X" })).toBe(true);
  });

  it("accepts what filters refuse but PATCH needs: members, groups", () => {
    expect(summary("members[value eq \"u\"].display", GROUP_RESOURCE)).toMatchObject({ subAttribute: "display" });
  });
});

describe("invalid PATCH paths: 400 invalidPath naming the problem", () => {
  const cases: [string, RegExp][] = [
    ["bogus", /unknown attribute 'bogus'/],
    ["name.bogus", /unknown attribute 'name\.bogus'/],
    ['emails[bogus eq "x"]', /unknown sub-attribute 'bogus' of emails/],
    ['emails[type eq "work"].bogus', /unknown sub-attribute 'bogus' of emails/],
    ['emails[type eq "work"].value.x', /unknown sub-attribute 'value\.x'/],
    ['emails[type eq "work"]x', /expected '\.' and a sub-attribute/],
    ['emails[type eq "work"', /expected '\]'/],
    ['name[givenName eq "x"]', /name is single-valued/],
    ['userName[value eq "x"]', /userName is not complex/],
    ['emails.value[value eq "x"]', /names a sub-attribute/],
    ['emails[type eq 1]', /emails\.type is a string/],
    ["schemas", /unknown attribute 'schemas'/],
    [SCIM_URN.enterpriseUser, /unknown attribute/],
    ["", /expected an attribute path/],
  ];
  it.each(cases)("%s", (text, detail) => {
    expect(pathError(text).detail).toMatch(detail);
  });

  it("the RFC's members[...].displayName names no sub-attribute of this Group schema", () => {
    // RFC 7644 §3.5.2 uses it as a syntax example; members here have value, $ref, display, type.
    expect(pathError('members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName', GROUP_RESOURCE).detail).toMatch(/unknown sub-attribute 'displayName' of members/);
  });
});
