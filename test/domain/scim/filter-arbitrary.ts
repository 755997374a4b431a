/** fast-check arbitraries of SCIM filter trees, built from the schema (shared by the round-trip and the FerretDB agreement tests). */
import fc from "fast-check";
import { COMPARE_OPS, type CompareOp, type FilterAst } from "../../../src/domain/scim/filter.js";
import { schemasPath, unfilterableReason } from "../../../src/domain/scim/filter-paths.js";
import { COMMON_ATTRIBUTES, resolveIn, schemasOf, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef } from "../../../src/domain/scim/schema.js";

export type ValueArbitrary = (def: AttributeDef, path: ResolvedAttribute) => fc.Arbitrary<string | number | boolean>;

/** Every path a filter may name, from the schema itself (so a new attribute is covered without touching this test). */
export function filterablePaths(resource: ResourceTypeDef): ResolvedAttribute[] {
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

function anyValueFor(def: AttributeDef): fc.Arbitrary<string | number | boolean> {
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

function attrExp(path: ResolvedAttribute, valueFor: ValueArbitrary): fc.Arbitrary<FilterAst> {
  const def = leaf(path);
  const present = fc.constant<FilterAst>({ kind: "present", path });
  // Comparing a complex attribute is rewritten (emails eq x → emails.value eq x), so it is no fixed point.
  if (def.type === "complex") return present;
  return fc.oneof(present, fc.record({ kind: fc.constant("compare" as const), path: fc.constant(path), op: fc.constantFrom(...opsFor(def)), value: valueFor(def, path) }));
}

/**
 * Random filters over every filterable path of `resource`, in the parser's normal forms. Values come
 * from `valueFor` (default: any text, any date, any boolean).
 */
export function filters(resource: ResourceTypeDef, valueFor: ValueArbitrary = anyValueFor): fc.Arbitrary<FilterAst> {
  const paths = filterablePaths(resource);
  const topLevel = paths.filter((p) => !p.sub);
  const complexParents = topLevel.filter((p) => p.attribute.type === "complex");
  const inner = (parent: ResolvedAttribute) => {
    const subs = paths.filter((p) => p.attribute === parent.attribute && p.sub);
    const { tree } = fc.letrec<{ tree: FilterAst }>((tie) => ({
      tree: fc.oneof(
        { maxDepth: 3 },
        fc.constantFrom(...subs).chain((p) => attrExp(p, valueFor)),
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
      fc.constantFrom(...paths).chain((p) => attrExp(p, valueFor)),
      ...valuePaths,
      fc.record({ kind: fc.constantFrom("and" as const, "or" as const), left: tie("tree"), right: tie("tree") }),
      fc.record({ kind: fc.constant("not" as const), filter: tie("tree") }),
    ),
  }));
  return tree;
}

