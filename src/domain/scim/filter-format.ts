/**
 * A filter tree back to filter text, with canonical attribute names and only the parentheses the
 * precedence rules need, so that parsing the text gives the same tree (a property test holds this).
 */
import type { FilterAst, FilterValue } from "./filter-ast.js";
import type { ResolvedAttribute } from "./schema.js";

const PRECEDENCE: Record<FilterAst["kind"], number> = { or: 1, and: 2, not: 3, valuePath: 3, compare: 3, present: 3 };

export function formatFilter(ast: FilterAst): string {
  return format(ast, false);
}

/** A value-path filter (from parsePatchPath) as written inside the brackets: `type eq "work"`. */
export function formatElementFilter(ast: FilterAst): string {
  return format(ast, true);
}

function format(ast: FilterAst, inside: boolean): string {
  switch (ast.kind) {
    case "and":
    case "or": {
      const p = PRECEDENCE[ast.kind];
      // Left-associative: an equal-precedence right operand needs parentheses to stay on the right.
      const left = wrap(format(ast.left, inside), PRECEDENCE[ast.left.kind] < p);
      const right = wrap(format(ast.right, inside), PRECEDENCE[ast.right.kind] <= p);
      return `${left} ${ast.kind} ${right}`;
    }
    case "not":
      return `not (${format(ast.filter, inside)})`;
    case "valuePath":
      return `${pathText(ast.path, false)}[${format(ast.filter, true)}]`;
    case "present":
      return `${pathText(ast.path, inside)} pr`;
    case "compare":
      return `${pathText(ast.path, inside)} ${ast.op} ${valueText(ast.value)}`;
  }
}

const wrap = (text: string, needed: boolean) => (needed ? `(${text})` : text);

/** Inside a value path only the sub-attribute's name is written: `emails[type eq "work"]`. */
function pathText(path: ResolvedAttribute, inside: boolean): string {
  return inside && path.sub ? path.sub.name : path.scimPath;
}

function valueText(value: FilterValue): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
