/**
 * Evaluates a filter tree on one record, in memory. This is the reference semantics the MongoDB
 * translation (adapters/mongo/scim-filter-query.ts) is tested against, row by row:
 * - a comparison on a multi-valued path is true when ANY value satisfies it;
 * - `ne` is `not eq`, so it is true when no value equals (and when the attribute is absent),
 *   which is also what MongoDB's $ne does on arrays and missing fields;
 * - values normalize as in values.ts (caseExact=false strings lowercased, dateTimes as instants,
 *   empty values absent); a value of another type than the attribute's never matches.
 */
import type { CompareOp, FilterAst, FilterValue } from "./filter-ast.js";
import { SCHEMAS_ATTRIBUTE } from "./filter-paths.js";
import { COMMON_ATTRIBUTES, RESOURCE_TYPES, type AttributeDef, type ResolvedAttribute } from "./schema.js";
import type { ScimRecord } from "./scim-record.js";
import { compareCodePoints, normalizeAttribute, normalizeComplex, normalizeLeaf, parseDateTime } from "./values.js";

type Envelope = Pick<ScimRecord, "id" | "created" | "lastModified" | "attributes">;
type Normalized = string | number | boolean | Date;

export function evaluateFilter(ast: FilterAst, record: Envelope): boolean {
  switch (ast.kind) {
    case "and":
      return evaluateFilter(ast.left, record) && evaluateFilter(ast.right, record);
    case "or":
      return evaluateFilter(ast.left, record) || evaluateFilter(ast.right, record);
    case "not":
      return !evaluateFilter(ast.filter, record);
    case "present":
      return ast.path.sub ? leafValues(ast.path, record).length > 0 : attributeValue(ast.path, record) !== undefined;
    case "compare":
      return compareAny(ast.path, ast.op, ast.value, leafValues(ast.path, record));
    case "valuePath":
      return elementsOf(ast.path.attribute, attributeValue(ast.path, record)).some((e) => evaluateNormalizedElement(ast.filter, e));
  }
}

/**
 * Evaluates a value-path filter (the `[...]` of `emails[type eq "work"]`, from parseFilter or
 * parsePatchPath) on one element of the multi-valued attribute, as it is stored.
 */
export function evaluateElementFilter(ast: FilterAst, element: unknown): boolean {
  const parent = anyPath(ast).attribute;
  const normalized = normalizeComplex(parent, element);
  return normalized !== undefined && evaluateNormalizedElement(ast, normalized);
}

function evaluateNormalizedElement(ast: FilterAst, element: Record<string, unknown>): boolean {
  switch (ast.kind) {
    case "and":
      return evaluateNormalizedElement(ast.left, element) && evaluateNormalizedElement(ast.right, element);
    case "or":
      return evaluateNormalizedElement(ast.left, element) || evaluateNormalizedElement(ast.right, element);
    case "not":
      return !evaluateNormalizedElement(ast.filter, element);
    case "present":
      return element[ast.path.sub!.name] !== undefined;
    case "compare": {
      const v = element[ast.path.sub!.name];
      return compareAny(ast.path, ast.op, ast.value, v === undefined ? [] : [v as Normalized]);
    }
    case "valuePath":
      throw new Error("value paths do not nest (the parser refuses them)");
  }
}

function anyPath(ast: FilterAst): ResolvedAttribute {
  switch (ast.kind) {
    case "and":
    case "or":
      return anyPath(ast.left);
    case "not":
      return anyPath(ast.filter);
    default:
      return ast.path;
  }
}

const extensionKeys = new Map(RESOURCE_TYPES.flatMap((r) => r.extensions).map((e) => [e.schema.storageKey!, e.schema.id]));
const [ID, , META] = COMMON_ATTRIBUTES as [AttributeDef, AttributeDef, AttributeDef];

/** The normalized value of the path's top-level attribute: a leaf, an object, an array, or undefined. */
export function attributeValue(path: ResolvedAttribute, record: Envelope): unknown {
  if (path.attribute === ID) return normalizeLeaf(ID, record.id);
  if (path.attribute === META) return { created: record.created, lastModified: record.lastModified };
  if (path.attribute === SCHEMAS_ATTRIBUTE) return normalizeAttribute(SCHEMAS_ATTRIBUTE, schemasOfRecord(path.schema.id, record.attributes));
  const holder = path.schema.storageKey ? record.attributes[path.schema.storageKey] : record.attributes;
  if (typeof holder !== "object" || holder === null) return undefined;
  return normalizeAttribute(path.attribute, (holder as Record<string, unknown>)[path.attribute.name]);
}

/** The schema URIs a stored resource is rendered with: its core schema, and each extension it holds values of. */
export function schemasOfRecord(coreSchema: string, attributes: Record<string, unknown>): string[] {
  const present = [...extensionKeys].filter(([key]) => {
    const v = attributes[key];
    return typeof v === "object" && v !== null && Object.keys(v).length > 0;
  });
  return [coreSchema, ...present.map(([, urn]) => urn)];
}

function elementsOf(def: AttributeDef, value: unknown): Record<string, unknown>[] {
  if (value === undefined) return [];
  return (def.multiValued ? (value as Record<string, unknown>[]) : [value as Record<string, unknown>]);
}

function leafValues(path: ResolvedAttribute, record: Envelope): Normalized[] {
  const value = attributeValue(path, record);
  if (value === undefined) return [];
  if (!path.sub) return (path.attribute.multiValued ? value : [value]) as Normalized[];
  const name = path.sub.name;
  return elementsOf(path.attribute, value)
    .map((e) => e[name])
    .filter((v) => v !== undefined) as Normalized[];
}

/** The filter's value normalized like the attribute's values. */
export function normalizeFilterValue(def: AttributeDef, value: FilterValue): Normalized {
  if (typeof value === "string" && def.type === "dateTime") return parseDateTime(value)!;
  if (typeof value === "string" && !def.caseExact) return value.toLowerCase();
  return value;
}

function compareAny(path: ResolvedAttribute, op: CompareOp, raw: FilterValue, values: Normalized[]): boolean {
  const def = path.sub ?? path.attribute;
  const v = normalizeFilterValue(def, raw);
  if (op === "ne") return !values.some((x) => compareOne("eq", x, v));
  return values.some((x) => compareOne(op, x, v));
}

function compareOne(op: CompareOp, x: Normalized, v: Normalized): boolean {
  if (typeof x === "string" && typeof v === "string") {
    switch (op) {
      case "co":
        return x.includes(v);
      case "sw":
        return x.startsWith(v);
      case "ew":
        return x.endsWith(v);
      default:
        return ordered(op, compareCodePoints(x, v));
    }
  }
  if (x instanceof Date && v instanceof Date) return ordered(op, x.getTime() - v.getTime());
  if (typeof x === "number" && typeof v === "number") return ordered(op, x - v);
  if (typeof x === "boolean" && typeof v === "boolean") return ordered(op, x === v ? 0 : 1);
  return false;
}

function ordered(op: CompareOp, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    default:
      return false;
  }
}
