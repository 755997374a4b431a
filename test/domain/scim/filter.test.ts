import { describe, expect, it } from "vitest";
import { evaluateFilter, formatFilter, parseFilter, type LogicalNode } from "../../../src/domain/scim/filter.js";
import { GROUP_RESOURCE, USER_RESOURCE } from "../../../src/domain/scim/schema.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import { SAMPLE_USERS } from "./sample-users.js";

const matching = (filter: string) => SAMPLE_USERS.filter((u) => evaluateFilter(parseFilter(USER_RESOURCE, filter), u)).map((u) => u.id.replace("-id", ""));

function filterError(filter: string, resource = USER_RESOURCE): ScimError {
  try {
    parseFilter(resource, filter);
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error(`parsed: ${filter}`);
}

describe("RFC 7644 §3.4.2.2 examples, verbatim", () => {
  const examples: [string, string[]][] = [
    ['userName eq "bjensen"', ["bjensen"]],
    [`name.familyName co "O'Malley"`, ["jsmith"]],
    ['userName sw "J"', ["jsmith"]],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', ["jsmith"]],
    ["title pr", ["bjensen"]],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ["jsmith", "dave"]],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ["bjensen", "jsmith", "dave"]],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', ["alice"]],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', ["bjensen", "alice"]],
    ['title pr and userType eq "Employee"', ["bjensen"]],
    ['title pr or userType eq "Intern"', ["bjensen", "jsmith"]],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', ["bjensen"]],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ["bjensen", "alice"]],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ["dave"]],
    ['userType eq "Employee" and (emails.type eq "work")', ["bjensen"]],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ["bjensen"]],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ["bjensen"]],
  ];
  it.each(examples)("%s", (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });
});

describe("grammar", () => {
  it("reads attribute names, operators and keywords case-insensitively", () => {
    expect(matching('USERNAME EQ "bjensen"')).toEqual(["bjensen"]);
    expect(matching('userName Eq "BJENSEN" OR userName eq "dave"')).toEqual(["bjensen", "dave"]);
    expect(matching('NOT (userType eq "Employee") AND Title PR')).toEqual([]);
    expect(matching('EMAILS[TYPE EQ "WORK"] and not(active eq true)')).toEqual(["dave"]);
  });

  it("binds and tighter than or, and parentheses override", () => {
    const loose = formatFilter(parseFilter(USER_RESOURCE, 'userName eq "a" or userName eq "b" and title pr'));
    expect(loose).toBe('userName eq "a" or userName eq "b" and title pr');
    const ast = parseFilter(USER_RESOURCE, 'userName eq "a" or userName eq "b" and title pr');
    expect(ast.kind).toBe("or");
    expect((ast as LogicalNode).right.kind).toBe("and");
    expect(parseFilter(USER_RESOURCE, '(userName eq "a" or userName eq "b") and title pr').kind).toBe("and");
    expect(matching('userName eq "dave" or userName eq "bjensen" and title pr')).toEqual(["bjensen", "dave"]);
    expect(matching('(userName eq "dave" or userName eq "bjensen") and title pr')).toEqual(["bjensen"]);
  });

  it("decodes JSON string escapes and takes numbers, true, false and null", () => {
    const ast = parseFilter(USER_RESOURCE, 'title eq "Tour\\u0020Guide\\n\\"x\\"\\\\"');
    expect(ast).toMatchObject({ kind: "compare", value: 'Tour Guide\n"x"\\' });
    expect(matching('title eq "Tour\\u0020Guide"')).toEqual(["bjensen"]);
    expect(matching("active eq false")).toEqual(["alice"]);
    expect(matching("active ne true")).toEqual(["alice", "dave"]);
    // null means absent: eq null is "not present", ne null is "present"
    expect(matching("title eq null")).toEqual(["jsmith", "alice", "dave"]);
    expect(matching("title ne null")).toEqual(["bjensen"]);
  });

  it("resolves sub-attributes and the enterprise extension by URN", () => {
    expect(matching('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"')).toEqual(["bjensen"]);
    expect(matching('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "boss-id"')).toEqual(["bjensen"]);
    expect(matching('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "boss-id"]')).toEqual(["bjensen"]);
    expect(matching('name[givenName sw "j"]')).toEqual(["jsmith"]);
    expect(matching('id eq "alice-id"')).toEqual(["alice"]);
    expect(matching('id eq "ALICE-ID"')).toEqual([]);
    expect(matching('externalId eq "701984"')).toEqual(["bjensen"]);
  });
});

describe("comparison semantics", () => {
  it("honours caseExact: caseExact=false strings compare case-insensitively, caseExact ones exactly", () => {
    expect(matching('emails.value eq "ALICE@example.com"')).toEqual(["alice"]);
    expect(matching('userName ew "SMITH"')).toEqual(["jsmith"]);
    expect(matching('externalId eq "701984"')).toEqual(["bjensen"]);
    const ext = { ...SAMPLE_USERS[0]!, attributes: { ...SAMPLE_USERS[0]!.attributes, externalId: "AbC" } };
    expect(evaluateFilter(parseFilter(USER_RESOURCE, 'externalId eq "abc"'), ext)).toBe(false);
    expect(evaluateFilter(parseFilter(USER_RESOURCE, 'externalId eq "AbC"'), ext)).toBe(true);
  });

  it("matches a multi-valued attribute when any value matches; ne when none equals", () => {
    expect(matching('emails.value eq "babs@jensen.org"')).toEqual(["bjensen"]);
    expect(matching('emails eq "babs@jensen.org"')).toEqual(["bjensen"]);
    expect(matching('emails.value ne "babs@jensen.org"')).toEqual(["jsmith", "alice", "dave"]);
    expect(matching('emails.type eq "home" and emails.value co "example.com"')).toEqual(["bjensen", "alice"]);
    expect(matching('emails[type eq "home" and value co "example.com"]')).toEqual(["alice"]);
  });

  it("orders strings and dates, and treats empty values as absent", () => {
    expect(matching('userName gt "bjensen"')).toEqual(["jsmith", "dave"]);
    expect(matching('userName lt "Dave"')).toEqual(["bjensen", "alice"]);
    expect(matching('userName ge "bjensen"')).toEqual(["bjensen", "jsmith", "dave"]);
    expect(matching('meta.created lt "2011-01-01T00:00:00.000+00:00"')).toEqual(["bjensen"]);
    expect(matching('meta.created eq "2011-01-01T01:00:00+01:00"')).toEqual(["jsmith"]);
    expect(matching("title pr")).toEqual(["bjensen"]);
    expect(matching("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr")).toEqual(["bjensen"]);
    expect(matching("emails pr")).toEqual(["bjensen", "jsmith", "alice", "dave"]);
    expect(matching("ims pr")).toEqual(["bjensen", "alice"]);
  });
});

describe("errors: 400 invalidFilter naming the attribute, the position and the rule", () => {
  const cases: [string, RegExp][] = [
    ['bogus eq "x"', /character 1: unknown attribute 'bogus'/],
    ['name.bogus eq "x"', /unknown attribute 'name\.bogus'/],
    ['employeeNumber eq "1"', /unknown attribute 'employeeNumber'.*urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User:employeeNumber/],
    ['emails[bogus eq "x"]', /unknown sub-attribute 'bogus' of emails/],
    ['userName eq', /character 12: expected a value/],
    ['userName "x"', /expected an operator .* after 'userName', found '"x"'/],
    ['userName xx "x"', /unknown operator 'xx'/],
    ['userName eq "x" and', /expected an attribute path/],
    ['userName eq "x" userName eq "y"', /character 17: expected 'and', 'or' or the end of the filter/],
    ['(userName eq "x"', /expected '\)'/],
    ['not userName eq "x"', /unknown attribute 'not'|expected an operator/],
    ['userName eq "unterminated', /malformed string/],
    ['userName eq "bad \\q escape"', /malformed string/],
    ["userName eq 12", /userName is a string: write the value in double quotes/],
    ['active eq "true"', /active is a boolean/],
    ["active gt true", /booleans compare only with eq and ne/],
    ['meta.created gt "yesterday"', /meta\.created is a dateTime/],
    ['meta.created co "2011-01-01T00:00:00Z"', /dateTime attributes compare only with/],
    ['x509Certificates.value gt "MII"', /binary attributes cannot be ordered/],
    ['name eq "x"', /name is complex: compare one of its sub-attributes \(name\.formatted/],
    ['userName[value eq "x"]', /userName is not complex/],
    ['emails.value[value eq "x"]', /names a sub-attribute/],
    ['emails[type eq "work"].value eq "x"', /PATCH path syntax/],
    ['emails[ims[type eq "x"]]', /unknown sub-attribute 'ims'|cannot nest/],
    ['password eq "secret"', /password is write-only/],
    ['groups.value eq "g"', /groups is computed from Group memberships/],
    ['meta.location eq "x"', /only meta\.created and meta\.lastModified/],
    ["title gt null", /null compares only with eq or ne/],
    ['userName eq "x" & title pr', /unexpected character '&'/],
  ];
  it.each(cases)("%s", (filter, detail) => {
    const e = filterError(filter);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe("invalidFilter");
    expect(e.detail).toMatch(detail);
    expect(e.detail).toContain(JSON.stringify(filter).slice(1, 10));
  });

  it("refuses filtering Groups on members, and User attributes on Groups", () => {
    expect(filterError('members.value eq "u"', GROUP_RESOURCE).detail).toMatch(/members are kept as membership records/);
    expect(filterError('members[value eq "u"]', GROUP_RESOURCE).detail).toMatch(/members are kept as membership records/);
    expect(filterError('userName eq "u"', GROUP_RESOURCE).detail).toMatch(/the Group schema defines no such attribute/);
    expect(parseFilter(GROUP_RESOURCE, 'displayName eq "Admins"')).toMatchObject({ kind: "compare", op: "eq" });
  });

  it("bounds nesting, terms and length", () => {
    expect(filterError(`${"(".repeat(40)}title pr${")".repeat(40)}`).detail).toMatch(/nest at most 32/);
    expect(filterError(Array.from({ length: 300 }, () => "title pr").join(" or ")).detail).toMatch(/at most 256 terms/);
    expect(filterError(`userName eq "${"x".repeat(5000)}"`).detail).toMatch(/longer than 4096/);
    expect(() => parseFilter(USER_RESOURCE, Array.from({ length: 200 }, () => "title pr").join(" and "))).not.toThrow();
  });
});
