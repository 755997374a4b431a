/**
 * SCIM filter trees → MongoDB queries over the search form (domain/scim/search-form.ts), stored
 * under the field `s` of each resource document. The in-memory evaluator (domain/scim/filter-eval.ts)
 * is the reference: a test runs a table of filters on FerretDB v1.24 and on the evaluator and
 * requires the same ids. What makes them agree:
 * - the search form is already normalized (lowercased caseExact=false strings, Dates, no empty
 *   values), and the filter value is normalized the same way here, so equality is plain `$eq`;
 * - `pr` is `$exists` (empty values are not in the search form);
 * - comparisons on a path through an array match when ANY element does (MongoDB's own rule), and
 *   `$ne` is "no element equals, or missing", which is the evaluator's `not eq`;
 * - `co` / `sw` / `ew` are `$regex` on the escaped literal; the end anchor is `\z` rather than `$`,
 *   because `$` also matches before a final newline in PCRE (MongoDB), unlike `endsWith`.
 *
 * FerretDB v1.24 limits, found by running the queries (test/adapters/mongo/scim-filter-query.test.ts):
 * - `$ne` on a path through an array of documents matches when ANY element differs (MongoDB: when
 *   none equals), so `ne` is written `$nor: [{field: value}]`, which FerretDB gets right.
 * - `$elemMatch` on arrays of documents matches nothing with field conditions and refuses $and,
 *   $or and $nor inside ("not implemented yet"). A value path `emails[A and B]` is therefore
 *   written with positional paths: `$or` over i of (element i exists and A and B on
 *   `emails.i.*`), for i below MAX_MULTI_VALUES (no stored multi-valued attribute holds more).
 *   A value filter that is one condition, or an `or` of plain conditions, needs no correlation and
 *   uses the dotted path (`emails.type`), which matches when any element does.
 * Operators used: $and $or $nor $eq $gt $gte $lt $lte $exists $regex, all run by FerretDB v1.24.
 */
import { MAX_MULTI_VALUES } from "../../domain/scim/attribute-values.js";
import type { FilterAst } from "../../domain/scim/filter.js";
import { normalizeFilterValue } from "../../domain/scim/filter-eval.js";
import { sortPaths, type SortOrder } from "../../domain/scim/search-form.js";
import type { ResolvedAttribute } from "../../domain/scim/schema.js";

export type MongoFilter = Record<string, unknown>;

const OPERATOR = { gt: "$gt", ge: "$gte", lt: "$lt", le: "$lte" } as const;

/** The MongoDB filter selecting the documents whose search form (under `prefix`) matches `ast`. */
export function filterToMongo(ast: FilterAst, prefix = "s"): MongoFilter {
  return translate(ast, (path) => `${prefix}.${path.storagePath.join(".")}`);
}

function translate(ast: FilterAst, field: (path: ResolvedAttribute) => string): MongoFilter {
  switch (ast.kind) {
    case "and":
    case "or": {
      const op = ast.kind === "and" ? "$and" : "$or";
      // a and b and c parses as and(and(a, b), c): one flat $and reads better and plans the same.
      const parts = [ast.left, ast.right].flatMap((side) => {
        const q = translate(side, field);
        return Object.keys(q).length === 1 && Array.isArray(q[op]) ? (q[op] as MongoFilter[]) : [q];
      });
      return { [op]: parts };
    }
    case "not":
      return { $nor: [translate(ast.filter, field)] };
    case "present":
      return { [field(ast.path)]: { $exists: true } };
    case "compare": {
      const def = ast.path.sub ?? ast.path.attribute;
      const v = normalizeFilterValue(def, ast.value);
      const f = field(ast.path);
      switch (ast.op) {
        case "eq":
          return { [f]: v };
        case "ne":
          return { $nor: [{ [f]: v }] };
        case "co":
          return { [f]: { $regex: escapeRegex(v as string) } };
        case "sw":
          return { [f]: { $regex: `^${escapeRegex(v as string)}` } };
        case "ew":
          return { [f]: { $regex: `${escapeRegex(v as string)}\\z` } };
        default:
          return { [f]: { [OPERATOR[ast.op]]: v } };
      }
    }
    case "valuePath": {
      const parent = field(ast.path);
      const inElement = (element: string) => translate(ast.filter, (p) => `${element}.${p.sub!.name}`);
      // A single-valued complex attribute (name[givenName sw "j"]) is its only element; it must
      // exist, or a `not` inside would match resources that have no such attribute at all.
      if (!ast.path.attribute.multiValued) return { $and: [{ [parent]: { $exists: true } }, inElement(parent)] };
      if (isPlainDisjunction(ast.filter)) return inElement(parent);
      const guard = hasNegation(ast.filter);
      const branches = Array.from({ length: MAX_MULTI_VALUES }, (_, i) => {
        const element = `${parent}.${i}`;
        return guard ? { $and: [{ [element]: { $exists: true } }, inElement(element)] } : inElement(element);
      });
      return { $or: branches };
    }
  }
}

/** Conditions joined by `or` only: "some element matches A or B" is "some matches A" or "some matches B". */
function isPlainDisjunction(ast: FilterAst): boolean {
  if (ast.kind === "or") return isPlainDisjunction(ast.left) && isPlainDisjunction(ast.right);
  return ast.kind === "present" || (ast.kind === "compare" && ast.op !== "ne");
}

/** Whether a missing element could satisfy the filter (through `not` or `ne`). */
function hasNegation(ast: FilterAst): boolean {
  switch (ast.kind) {
    case "and":
    case "or":
      return hasNegation(ast.left) || hasNegation(ast.right);
    case "not":
      return true;
    case "compare":
      return ast.op === "ne";
    default:
      return false;
  }
}

/** The literal as a regular expression: metacharacters escaped, control characters (NUL is refused by MongoDB) as \xHH. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&").replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * The MongoDB sort for `sortBy` (resolved with resolveSortBy): the presence flag first, so that
 * resources without the value come last when ascending and first when descending (RFC 7644
 * §3.4.2.3), then the value. Callers append their tie-breaker (e.g. `_id`).
 */
export function sortToMongo(path: ResolvedAttribute, order: SortOrder, prefix = "s"): Record<string, 1 | -1> {
  const { value, has } = sortPaths(path);
  const dir = order === "ascending" ? 1 : -1;
  return { [`${prefix}.${has.join(".")}`]: dir === 1 ? -1 : 1, [`${prefix}.${value.join(".")}`]: dir };
}
