/**
 * The tree a SCIM filter (RFC 7644 §3.4.2.2) parses into, with every attribute path already
 * resolved against the schema, so the evaluator, the MongoDB translator and the formatter never
 * look a name up again (and cannot disagree about what it means).
 *
 * Normal forms the parser produces, so consumers need no special cases:
 * - `attr eq null` is `not (attr pr)` and `attr ne null` is `attr pr` (a null value is "absent").
 * - A comparison on a multi-valued complex attribute itself (`emails eq "x"`) compares its
 *   `value` sub-attribute (`emails.value eq "x"`), as RFC 7644 §3.4.2.2 describes for `emails co`.
 * - `and` / `or` are binary and left-associative: `a and b and c` is `and(and(a, b), c)`.
 * Inside a value path (`emails[type eq "work"]`) the paths name sub-attributes of the
 * multi-valued attribute: their ResolvedAttribute has `sub` set (emails / type).
 */
import type { ResolvedAttribute } from "./schema.js";

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export const COMPARE_OPS: readonly CompareOp[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

/** A comparison value: strings (dateTime values keep their text), numbers and booleans; null is rewritten away. */
export type FilterValue = string | number | boolean;

export interface CompareNode {
  kind: "compare";
  path: ResolvedAttribute;
  op: CompareOp;
  value: FilterValue;
}

export interface PresentNode {
  kind: "present";
  path: ResolvedAttribute;
}

export interface LogicalNode {
  kind: "and" | "or";
  left: FilterAst;
  right: FilterAst;
}

export interface NotNode {
  kind: "not";
  filter: FilterAst;
}

/** `emails[type eq "work" and value co "@example.com"]`: some element of `path` matches `filter`. */
export interface ValuePathNode {
  kind: "valuePath";
  /** The complex attribute (no `sub`). */
  path: ResolvedAttribute;
  /** Relative to one element: its paths have `sub` set. Never contains another value path. */
  filter: FilterAst;
}

export type FilterAst = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;
