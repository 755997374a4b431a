import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMPARE_OPS, formatFilter, parseFilter, type CompareOp, type FilterAst } from "../../../src/domain/scim/filter.js";
import { schemasPath, unfilterableReason } from "../../../src/domain/scim/filter-paths.js";
import { COMMON_ATTRIBUTES, GROUP_RESOURCE, resolveIn, schemasOf, USER_RESOURCE, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";

/** Every path a filter may name, from the schema itself (so a new attribute is covered without touching this test). */
function filterablePaths(resource: ResourceTypeDef): ResolvedAttribute[] {
  const out: ResolvedAttribute[] = [schemasPath(resource)];
  for (const schema of schemasOf(resource)) {
    const attributes = schema === resource.schema ? [...COMMON_ATTRIBUTES, ...schema.attributes] : schema.attributes;
    for (const a of attributes) {
      out.push(resolveIn(schema, a)!);
      for (const s of a.subAttributes ?? []) out.push(resolveIn(schema, a, s.name)!);
    }
  }
  return out.filter((p) => unfilterableReason(p) === undefined);
}

const leaf = (p: ResolvedAttribute): AttributeDef => p.sub ?? p.attribute;

function opsFor(def: AttributeDef): CompareOp[] {
  switch (def.type) {
    case "boolean":
      return ["eq", "ne"];
    case "dateTime":
    case "integer":
    case "decimal":
      return COMPARE_OPS.filter((o) => !["co", "sw", "ew"].includes(o));
    case "binary":
      return COMPARE_OPS.filter((o) => !["gt", "ge", "lt", "le"].includes(o));
    default:
      return [...COMPARE_OPS];
  }
}

function valueFor(def: AttributeDef): fc.Arbitrary<string | number | boolean> {
  switch (def.type) {
    case "boolean":
      return fc.boolean();
    case "dateTime":
      return fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString());
    default:
      // Any UTF-16 text, lone surrogates and control characters included: the formatter must escape them.
      return fc.string({ unit: "binary", maxLength: 12 });
  }
}

function attrExp(path: ResolvedAttribute): fc.Arbitrary<FilterAst> {
  const def = leaf(path);
  const present = fc.constant<FilterAst>({ kind: "present", path });
  // Comparing a complex attribute is rewritten (emails eq x → emails.value eq x), so it is no fixed point.
  if (def.type === "complex") return present;
  return fc.oneof(present, fc.record({ kind: fc.constant("compare" as const), path: fc.constant(path), op: fc.constantFrom(...opsFor(def)), value: valueFor(def) }));
}

function filters(resource: ResourceTypeDef): fc.Arbitrary<FilterAst> {
  const paths = filterablePaths(resource);
  const topLevel = paths.filter((p) => !p.sub);
  const complexParents = topLevel.filter((p) => p.attribute.type === "complex");
  const inner = (parent: ResolvedAttribute) => {
    const subs = paths.filter((p) => p.attribute === parent.attribute && p.sub);
    const { tree } = fc.letrec<{ tree: FilterAst }>((tie) => ({
      tree: fc.oneof(
        { maxDepth: 3 },
        fc.constantFrom(...subs).chain(attrExp),
        fc.record({ kind: fc.constantFrom("and" as const, "or" as const), left: tie("tree"), right: tie("tree") }),
        fc.record({ kind: fc.constant("not" as const), filter: tie("tree") }),
      ),
    }));
    return tree;
  };
  const valuePaths = complexParents.map((parent) => inner(parent).map((filter): FilterAst => ({ kind: "valuePath", path: parent, filter })));
  const { tree } = fc.letrec<{ tree: FilterAst }>((tie) => ({
    tree: fc.oneof(
      { maxDepth: 4 },
      fc.constantFrom(...paths).chain(attrExp),
      ...valuePaths,
      fc.record({ kind: fc.constantFrom("and" as const, "or" as const), left: tie("tree"), right: tie("tree") }),
      fc.record({ kind: fc.constant("not" as const), filter: tie("tree") }),
    ),
  }));
  return tree;
}

describe("parseFilter(formatFilter(ast)) equals ast", () => {
  for (const resource of [USER_RESOURCE, GROUP_RESOURCE]) {
    it(`for random ${resource.name} filters built from the schema`, () => {
      fc.assert(
        fc.property(filters(resource), (ast) => {
          expect(parseFilter(resource, formatFilter(ast))).toEqual(ast);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("covers every filterable path of both resources", () => {
    expect(filterablePaths(USER_RESOURCE).map((p) => p.scimPath)).toEqual(expect.arrayContaining(["userName", "emails.value", "meta.created", "schemas", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"]));
    expect(filterablePaths(USER_RESOURCE).map((p) => p.scimPath)).not.toEqual(expect.arrayContaining(["password"]));
    expect(filterablePaths(GROUP_RESOURCE).map((p) => p.scimPath)).toEqual(["schemas", "id", "externalId", "meta.created", "meta.lastModified", "displayName"]);
  });
});
