import { describe, expect, it } from "vitest";
import { checkExpectations, parseExpectPath, resolvePath } from "./corpus-expect.js";
import { bindStep, requestTarget } from "./corpus-placeholders.js";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const user = {
  id: "u1",
  userName: "bjensen",
  Active: false,
  name: { givenName: "Barbara" },
  emails: [
    { type: "home", value: "b@home.example" },
    { type: "work", value: "b@work.example", primary: true },
  ],
  groups: [],
  [ENTERPRISE]: { manager: { value: "m1" } },
};

describe("corpus expect language", () => {
  it("resolves sub-attributes, value filters, indexes and extension URNs; names case-insensitively", () => {
    expect(resolvePath(user, "name.givenName")).toBe("Barbara");
    expect(resolvePath(user, 'emails[type eq "work"].value')).toBe("b@work.example");
    expect(resolvePath(user, 'EMAILS[Type EQ "work"].Primary')).toBe(true);
    expect(resolvePath(user, "emails[0].value")).toBe("b@home.example");
    expect(resolvePath(user, `${ENTERPRISE}:manager.value`)).toBe("m1");
    expect(resolvePath(user, "active")).toBe(false);
    expect(resolvePath(user, 'emails[type eq "other"].value')).toBeUndefined();
    expect(resolvePath({ Resources: [user] }, "Resources[0].userName")).toBe("bjensen");
  });

  it("rejects keys outside the language, naming them", () => {
    expect(() => parseExpectPath('emails[type co "w"].value')).toThrow(/emails\[type co/);
    expect(() => parseExpectPath("name..givenName")).toThrow(/not an attribute/);
  });

  it("reports each mismatch with the key, what was expected and what came back", () => {
    expect(checkExpectations(user, {
      userName: "bjensen",
      "name.familyName": { $absent: true },
      groups: { $length: 0, $absent: true },
      emails: { $length: 2, $contains: { type: "work", value: "b@work.example" } },
    })).toEqual([]);
    expect(checkExpectations(user, {
      active: true,
      emails: { $contains: { type: "other" } },
      "name.givenName": { $absent: true },
    })).toEqual([
      "active: expected true, got false",
      'emails: expected an element matching {"type":"other"}, got [{"type":"home","value":"b@home.example"},{"type":"work","value":"b@work.example","primary":true}]',
      'name.givenName: expected the attribute to be absent, got "Barbara"',
    ]);
  });
});

describe("corpus placeholders", () => {
  it("binds vars first, then saved values, in path, body and expect keys", () => {
    const bound = bindStep(
      {
        method: "PATCH",
        path: "/Groups/{groupId}",
        body: { Operations: [{ op: "remove", path: 'members[value eq "{userId}"]' }], note: "{{who}}" },
        expectStatus: 200,
        expect: { 'members[value eq "{userId}"]': { $absent: true } },
      },
      { "{{who}}": "Runscope417" },
      { groupId: "g1", userId: "u1" },
    );
    expect(bound.path).toBe("/Groups/g1");
    expect(bound.body).toEqual({ Operations: [{ op: "remove", path: 'members[value eq "u1"]' }], note: "Runscope417" });
    expect(Object.keys(bound.expect ?? {})).toEqual(['members[value eq "u1"]']);
    expect(() => bindStep({ method: "GET", path: "/Users/{nope}", expectStatus: 200 }, {}, {})).toThrow(/\{nope\}/);
  });

  it("percent-encodes what may not appear raw in a request target, and nothing already encoded", () => {
    expect(requestTarget('/Users?filter=userName eq "a@b.c"')).toBe("/Users?filter=userName%20eq%20%22a@b.c%22");
    expect(requestTarget("/Users?filter=userName+eq+%22jane%40example.com%22")).toBe("/Users?filter=userName+eq+%22jane%40example.com%22");
    expect(requestTarget('/Groups?filter=displayName eq "Ünïcode"')).toBe("/Groups?filter=displayName%20eq%20%22%C3%9Cn%C3%AFcode%22");
  });
});
