import { describe, expect, it } from "vitest";
import { compareSearchForms, resolveSortBy, searchForm, sortPaths } from "../../../src/domain/scim/search-form.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE } from "../../../src/domain/scim/schema.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import type { ScimRecord } from "../../../src/domain/scim/scim-record.js";

const created = new Date("2024-01-01T00:00:00Z");
const lastModified = new Date("2024-02-01T00:00:00Z");
const record = (attributes: Record<string, unknown>, id = "Id-1"): ScimRecord => ({ id, version: 1, created, lastModified, attributes });

describe("searchForm", () => {
  it("normalizes the stored attributes for filtering: caseExact=false lowercased, empty values left out", () => {
    const form = searchForm(
      USER_RESOURCE,
      record({
        userName: "BJensen",
        externalId: "Ext-1",
        name: { givenName: "Barbara", familyName: "" },
        title: "",
        active: false,
        password: "never-here",
        emails: [{ value: "B@Example.com", type: "Work" }, { value: "" }, { value: "babs@x.org", primary: true }],
        phoneNumbers: [],
        enterprise: { employeeNumber: "E1", manager: { value: "Boss" } },
      }),
    );
    expect(form).toEqual({
      id: "Id-1",
      meta: { created, lastModified },
      schemas: [SCIM_URN.user.toLowerCase(), SCIM_URN.enterpriseUser.toLowerCase()],
      userName: "bjensen",
      externalId: "Ext-1",
      name: { givenName: "barbara" },
      active: false,
      emails: [{ value: "b@example.com", type: "work" }, { value: "babs@x.org", primary: true }],
      enterprise: { employeeNumber: "e1", manager: { value: "boss" } },
      _primary: { emails: { value: "babs@x.org", primary: true } },
      _has: {
        id: true,
        meta: { created: true, lastModified: true },
        userName: true,
        externalId: true,
        name: { givenName: true },
        active: true,
        emails: { value: true, primary: true },
        enterprise: { employeeNumber: true, manager: { value: true } },
      },
    });
  });

  it("takes the first element when none is primary, and leaves out an empty extension", () => {
    const form = searchForm(USER_RESOURCE, record({ userName: "a", emails: [{ value: "x@y", type: "home" }, { value: "z@y" }], enterprise: {} }));
    expect(form["_primary"]).toEqual({ emails: { value: "x@y", type: "home" } });
    expect(form["enterprise"]).toBeUndefined();
    expect(form["schemas"]).toEqual([SCIM_URN.user.toLowerCase()]);
  });

  it("holds a Group's displayName and externalId, never members", () => {
    const form = searchForm(GROUP_RESOURCE, record({ displayName: "Admins", externalId: "G", members: [{ value: "u" }] }, "g"));
    expect(form).toMatchObject({ id: "g", displayName: "admins", externalId: "G" });
    expect(form["members"]).toBeUndefined();
  });
});

describe("sortBy", () => {
  it("resolves paths, and sorts a multi-valued attribute by its primary value", () => {
    expect(resolveSortBy(USER_RESOURCE, "USERNAME").scimPath).toBe("userName");
    expect(resolveSortBy(USER_RESOURCE, "emails").scimPath).toBe("emails.value");
    expect(sortPaths(resolveSortBy(USER_RESOURCE, "emails"))).toEqual({ value: ["_primary", "emails", "value"], has: ["_has", "emails", "value"] });
    expect(sortPaths(resolveSortBy(USER_RESOURCE, `${SCIM_URN.enterpriseUser}:manager.value`))).toEqual({
      value: ["enterprise", "manager", "value"],
      has: ["_has", "enterprise", "manager", "value"],
    });
  });

  it.each([
    ["bogus", /names no attribute/],
    ["name", /name is complex; sort by one of its sub-attributes/],
    ["password", /write-only and cannot be sorted by/],
    ["groups", /groups is computed/],
    ["x509Certificates.value", /binary attributes cannot be sorted by/],
    ["meta.location", /cannot be sorted by/],
  ])("refuses sortBy=%s with 400 invalidValue", (sortBy, detail) => {
    let error: unknown;
    try {
      resolveSortBy(USER_RESOURCE, sortBy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect((error as ScimError).detail).toMatch(detail);
  });

  it("orders present values case-insensitively, missing ones last when ascending and first when descending (RFC 7644 §3.4.2.3)", () => {
    const users = [record({ title: "b" }, "1"), record({}, "2"), record({ title: "A" }, "3"), record({ title: "" }, "4"), record({ title: "C" }, "5")];
    const forms = users.map((u) => ({ id: u.id, form: searchForm(USER_RESOURCE, u) }));
    const path = resolveSortBy(USER_RESOURCE, "title");
    const sorted = (order: "ascending" | "descending") => {
      const compare = compareSearchForms(path, order);
      return [...forms].sort((a, b) => compare(a.form, b.form) || a.id.localeCompare(b.id)).map((f) => f.id);
    };
    expect(sorted("ascending")).toEqual(["3", "1", "5", "2", "4"]);
    expect(sorted("descending")).toEqual(["2", "4", "5", "1", "3"]);
  });
});
