import { describe, expect, it } from "vitest";
import { etagMatches, etagOf, locationOf, parseIfMatch, renderResource } from "../../../src/domain/scim/render-resource.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE } from "../../../src/domain/scim/schema.js";

const created = new Date("2024-01-02T03:04:05.000Z");
const lastModified = new Date("2024-02-03T04:05:06.789Z");

describe("renderResource", () => {
  it("renders a User: schemas, id, attributes, the enterprise extension under its URN with manager.$ref, groups, meta; never password", () => {
    const out = renderResource(
      USER_RESOURCE,
      {
        id: "u-1",
        version: 3,
        created,
        lastModified,
        attributes: {
          userName: "bjensen",
          externalId: "ext",
          password: "should never be stored, and never rendered",
          name: { givenName: "Barbara" },
          emails: [{ value: "b@example.com", type: "work", primary: true }],
          enterprise: { department: "Tour", manager: { value: "m 1" } },
        },
      },
      { baseUrl: "https://id.example.com/", groups: [{ value: "g1", display: "Admins" }, { value: "g2" }] },
    );
    expect(out).toEqual({
      schemas: [SCIM_URN.user, SCIM_URN.enterpriseUser],
      id: "u-1",
      externalId: "ext",
      userName: "bjensen",
      name: { givenName: "Barbara" },
      emails: [{ value: "b@example.com", type: "work", primary: true }],
      [SCIM_URN.enterpriseUser]: { department: "Tour", manager: { value: "m 1", $ref: "https://id.example.com/scim/v2/Users/m%201" } },
      groups: [
        { value: "g1", $ref: "https://id.example.com/scim/v2/Groups/g1", display: "Admins", type: "direct" },
        { value: "g2", $ref: "https://id.example.com/scim/v2/Groups/g2", type: "direct" },
      ],
      meta: {
        resourceType: "User",
        created: "2024-01-02T03:04:05.000Z",
        lastModified: "2024-02-03T04:05:06.789Z",
        location: "https://id.example.com/scim/v2/Users/u-1",
        version: 'W/"3"',
      },
    });
    expect(Object.keys(out)[0]).toBe("schemas");
    expect(Object.keys(out).at(-1)).toBe("meta");
  });

  it("lists only the core schema without enterprise attributes, and omits groups that were not loaded", () => {
    const out = renderResource(USER_RESOURCE, { id: "u", version: 1, created, lastModified, attributes: { userName: "u", enterprise: {} } }, { baseUrl: "http://h" });
    expect(out["schemas"]).toEqual([SCIM_URN.user]);
    expect(out).not.toHaveProperty("groups");
    expect(out).not.toHaveProperty(SCIM_URN.enterpriseUser);
  });

  it("renders a Group with its members as User references, or without members when they were not read", () => {
    const record = { id: "g-1", version: 7, created, lastModified, attributes: { displayName: "Admins" } };
    expect(renderResource(GROUP_RESOURCE, record, { baseUrl: "http://localhost:8080", members: [{ value: "u1", display: "Babs" }] })).toEqual({
      schemas: [SCIM_URN.group],
      id: "g-1",
      displayName: "Admins",
      members: [{ value: "u1", $ref: "http://localhost:8080/scim/v2/Users/u1", display: "Babs", type: "User" }],
      meta: {
        resourceType: "Group",
        created: "2024-01-02T03:04:05.000Z",
        lastModified: "2024-02-03T04:05:06.789Z",
        location: "http://localhost:8080/scim/v2/Groups/g-1",
        version: 'W/"7"',
      },
    });
    expect(renderResource(GROUP_RESOURCE, record, { baseUrl: "http://h" })).not.toHaveProperty("members");
    expect(renderResource(GROUP_RESOURCE, record, { baseUrl: "http://h", members: [] })["members"]).toEqual([]);
  });

  it("builds locations under a base path", () => {
    expect(locationOf("https://h/prefix//", "/Groups", "a/b")).toBe("https://h/prefix/scim/v2/Groups/a%2Fb");
  });
});

describe("ETags", () => {
  it("formats weak ETags", () => {
    expect(etagOf(0)).toBe('W/"0"');
    expect(etagOf(42)).toBe('W/"42"');
  });

  it("parses If-Match lists, *, strong tags and bare numbers; foreign tags match nothing", () => {
    expect(parseIfMatch('W/"3"')).toEqual([3]);
    expect(parseIfMatch(' W/"3" , "4",w/"5", 6')).toEqual([3, 4, 5, 6]);
    expect(parseIfMatch("*")).toBe("*");
    expect(parseIfMatch('W/"3", *')).toBe("*");
    expect(parseIfMatch('W/"f250dd84f0671c3"')).toEqual([]);
    expect(parseIfMatch("")).toEqual([]);
    expect(etagMatches(parseIfMatch('W/"3", W/"4"'), 4)).toBe(true);
    expect(etagMatches(parseIfMatch('W/"3"'), 4)).toBe(false);
    expect(etagMatches(parseIfMatch("*"), 4)).toBe(true);
    expect(etagMatches(parseIfMatch(etagOf(9)), 9)).toBe(true);
  });
});
