/**
 * PATCH as a property: whatever sequence of operations arrives, the engine either answers with a
 * ScimError (a 4xx the client can act on) or produces attributes that resource-input accepts as
 * they are — never a crash (500), never a stored `$ref` or password, never a change to its input.
 * And the sizes scim.md promises (1,000 operations, 10,000 member values within 1 MiB) stay linear.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePatchRequest } from "../../../src/domain/scim/idp-normalization.js";
import { applyOperations, applyPatch } from "../../../src/domain/scim/patch-engine.js";
import { validateStoredAttributes } from "../../../src/domain/scim/resource-input.js";
import { ScimError } from "../../../src/domain/scim/scim-error.js";
import { GROUP_RESOURCE, SCIM_URN, USER_RESOURCE } from "../../../src/domain/scim/schema.js";
import type { ScimAttributes } from "../../../src/domain/scim/scim-record.js";

const PATCH_OP = [SCIM_URN.patchOp];
const ENTERPRISE = SCIM_URN.enterpriseUser;

const startUser = (): ScimAttributes => ({
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  active: true,
  emails: [
    { value: "b@example.com", type: "work", primary: true },
    { value: "b@home.example", type: "home" },
  ],
  addresses: [{ type: "work", locality: "Hollywood" }],
  enterprise: { department: "Tours", manager: { value: "m1" } },
});

const text = fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(1025), "a\u0000b", "True") });
const bool = fc.oneof(fc.boolean(), fc.constantFrom("True", "false", "FALSE", "yes"));
const element = fc.record(
  { value: text, type: fc.constantFrom("work", "home", "mobile", "other"), primary: bool, display: text, $ref: text, locality: text, junk: text },
  { requiredKeys: [] },
);
const elements = fc.oneof({ weight: 4, arbitrary: fc.array(element, { maxLength: 4 }) }, { weight: 1, arbitrary: element });
const name = fc.record({ givenName: text, familyName: fc.oneof(text, fc.constant(null)), formatted: text, Junk: text }, { requiredKeys: [] });
const manager = fc.oneof(text, fc.record({ value: text, displayName: text, $ref: text }, { requiredKeys: [] }));
/** Anything at all: the engine must refuse it cleanly when it does not fit. */
const noise = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null));

/** Each path with values that mostly fit it, so that most sequences get far enough to test the result. */
const userPaths: [string, fc.Arbitrary<unknown>][] = [
  ...["userName", "USERNAME", "displayName", "nickName", "title", "password", "externalId", "locale", "name.givenName", "name.familyName", "name.formatted"].map(
    (p) => [p, text] as [string, fc.Arbitrary<unknown>],
  ),
  ["active", bool],
  ["name", name],
  ...["emails", "phoneNumbers", "addresses", "x509Certificates", "roles"].map((p) => [p, elements] as [string, fc.Arbitrary<unknown>]),
  ["emails.value", text],
  ["emails.type", text],
  ["emails.primary", bool],
  ['emails[type eq "work"]', element],
  ['emails[type eq "work"].value', text],
  ['emails[type eq "home"].primary', bool],
  ['emails[value co "example"]', element],
  ['emails[type eq "work" and primary eq true].value', text],
  ['emails[not (type eq "home")]', element],
  ['phoneNumbers[type eq "mobile"].value', text],
  ['addresses[type eq "work"].locality', text],
  ['addresses[type eq "work"]', element],
  ["ims.value", text],
  [ENTERPRISE, fc.record({ department: text, manager, costCenter: text }, { requiredKeys: [] })],
  [`${ENTERPRISE}:department`, text],
  [`${ENTERPRISE}:manager`, manager],
  [`${ENTERPRISE}:manager.value`, text],
  ["urn:ietf:params:scim:schemas:core:2.0:User:title", text],
];
/** Paths that are always refused (read-only, unknown, malformed). */
const badUserPaths = [`${ENTERPRISE}:manager.displayName`, "id", "meta", "meta.version", "groups", "schemas", "unknown", "name.unknown", "emails[", 'emails[type eq "work"].nope', 'name[givenName eq "x"]', ""];

const memberList = fc.array(fc.oneof(fc.record({ value: fc.constantFrom("u1", "u2", "u3") , display: text }, { requiredKeys: ["value"] }), fc.constantFrom("u1", "u2")), { maxLength: 4 });
const groupPaths: [string, fc.Arbitrary<unknown>][] = [
  ["displayName", text],
  ["externalId", text],
  ["members", memberList],
];
/** Member filters are for remove only (their values are immutable). */
const memberRemovals = fc.record({ op: fc.constantFrom("remove", "Remove"), path: fc.constantFrom('members[value eq "u1"]', 'members[value eq "u1" or value eq "u3"]') });
const badGroupPaths = ['members[display eq "x"]', 'members[value eq "u1"]', "members.value", "id", "bogus"];

/** A path-less value: some plain attributes, some Entra-style path keys. */
const pathless = (paths: [string, fc.Arbitrary<unknown>][]) =>
  fc.array(fc.constantFrom(...paths), { maxLength: 4 }).chain((picked) => fc.tuple(...picked.map(([p, v]) => v.map((x) => [p, x] as const))).map((pairs) => Object.fromEntries(pairs)));

const operation = (paths: [string, fc.Arbitrary<unknown>][], badPaths: string[], extra: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 3, arbitrary: extra },
    { weight: 12, arbitrary: fc.constantFrom(...paths).chain(([path, v]) => fc.record({ op: fc.constantFrom("add", "replace", "remove", "Add", "Replace", "Remove"), path: fc.constant(path), value: v })) },
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom("add", "replace", "Replace"), value: pathless(paths) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("add", "replace", "remove", "Add"), path: fc.constantFrom(...paths.map(([p]) => p), ...badPaths), value: noise }, { requiredKeys: ["op"] }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("add", "remove", "copy", 7), path: fc.constantFrom(...badPaths), value: text }, { requiredKeys: ["op"] }) },
  );

/** Runs `fn`; returns its result, or undefined for a 400 ScimError (anything else fails the property). */
function orScimError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScimError) {
      expect(e.status).toBe(400);
      return undefined;
    }
    throw e;
  }
}

describe("PATCH property", () => {
  for (const [resource, start, paths, badPaths, extra] of [
    [USER_RESOURCE, startUser, userPaths, badUserPaths, fc.record({ op: fc.constant("remove"), path: fc.constantFrom('emails[type eq "home"]', "nickName", "name") })],
    [GROUP_RESOURCE, (): ScimAttributes => ({ displayName: "Tour Guides", externalId: "e" }), groupPaths, badGroupPaths, memberRemovals],
  ] as const) {
    it(`${resource.name}: random operation sequences give a ScimError, or attributes in the stored form that resource-input accepts unchanged`, () => {
      fc.assert(
        fc.property(fc.array(operation(paths, badPaths, extra), { minLength: 1, maxLength: 6 }), (ops) => {
          const before = start();
          const operations = orScimError(() => normalizePatchRequest(resource, { schemas: PATCH_OP, Operations: ops }, { resourceId: "the-id" }));
          if (!operations) return;
          const applied = orScimError(() => applyOperations(resource, before, operations));
          expect(before).toEqual(start());
          if (!applied) return;
          const text = JSON.stringify(applied.attributes);
          expect(text).not.toContain('"$ref"');
          expect(text).not.toContain('"password"');
          // Each operation keeps the stored form: validation may refuse (a required attribute
          // emptied, too many values) but never has anything to rewrite.
          const validated = orScimError(() => validateStoredAttributes(resource, applied.attributes));
          if (validated) expect(validated).toEqual(applied.attributes);
          const result = orScimError(() => applyPatch(resource, { attributes: before }, operations));
          expect(result?.attributes).toEqual(validated);
        }),
        { numRuns: 1500 },
      );
    });
  }
});

describe("PATCH size (scim.md: at least 1,000 operations or 10,000 member values within 1 MiB)", () => {
  const GENEROUS_MS = 5_000;

  it("1,000 operations on a User in one request", () => {
    const ops = Array.from({ length: 1000 }, (_, i) => {
      switch (i % 5) {
        case 0:
          return { op: "Replace", path: 'emails[type eq "work"].value', value: `b${i}@example.com` };
        case 1:
          return { op: "add", path: "phoneNumbers", value: [{ value: `555-${i % 50}`, type: "work" }] };
        case 2:
          return { op: "replace", value: { "name.givenName": `Barbara ${i}`, active: i % 2 === 0 ? "True" : "False" } };
        case 3:
          return { op: "remove", path: `phoneNumbers[value eq "555-${(i + 7) % 50}"]` };
        default:
          return { op: "replace", path: `${ENTERPRISE}:department`, value: `Dept ${i}` };
      }
    });
    const body = { schemas: PATCH_OP, Operations: ops };
    expect(JSON.stringify(body).length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const result = applyPatch(USER_RESOURCE, { attributes: startUser() }, normalizePatchRequest(USER_RESOURCE, body, { resourceId: "u" }));
    expect(performance.now() - started).toBeLessThan(GENEROUS_MS);
    expect(result.attributes["name"]).toEqual({ givenName: "Barbara 997", familyName: "Jensen" });
    expect((result.attributes["enterprise"] as ScimAttributes)["department"]).toBe("Dept 999");
  });

  it("10,000 member values: added in one operation, removed by Entra's value list, removed by 1,000 value-eq filters", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `2819c223-7f76-453a-919d-${String(i).padStart(12, "0")}`);
    const bodies = [
      { schemas: PATCH_OP, Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }] },
      { schemas: PATCH_OP, Operations: [{ op: "Remove", path: "members", value: ids.map((value) => ({ value })) }] },
      { schemas: PATCH_OP, Operations: ids.slice(0, 1000).map((id) => ({ op: "remove", path: `members[value eq "${id}"]` })) },
    ];
    const started = performance.now();
    const results = bodies.map((body) => {
      expect(JSON.stringify(body).length).toBeLessThan(1024 * 1024);
      return applyPatch(GROUP_RESOURCE, { attributes: { displayName: "g" } }, normalizePatchRequest(GROUP_RESOURCE, body, { resourceId: "g" }));
    });
    expect(performance.now() - started).toBeLessThan(GENEROUS_MS);
    expect(results[0]!.members!.add).toHaveLength(10_000);
    expect(results[1]!.members!.remove).toHaveLength(10_000);
    expect(results[2]!.members!.remove).toEqual(ids.slice(0, 1000));
  });
});
