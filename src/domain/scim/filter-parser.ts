/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2),
 * resolving every attribute against the schema as it goes.
 *
 * Why not a library: `scim2-parse-filter` (0.2.x/0.3.x, the best-kept npm one) was weighed. It
 * returns unresolved path strings, so the schema checks (unknown attribute, value type, operator
 * per type) would be a second walk anyway; its errors carry no position; it rewrites backslashes
 * inside strings before JSON.parse, so JSON escapes such as \n or \u00e9 do not decode as JSON;
 * it accepts `not x eq 1` without the parentheses the grammar requires; and it turns
 * `emails[...].value` into an `and`, which is no filter at all (it is PATCH path syntax). The
 * grammar is small (about 150 lines here), and owning it gives errors that name the character
 * and the rule, and one parser for filters and PATCH paths.
 *
 * Grammar (precedence: `not` > `and` > `or`, as in §3.4.2.2's table; `and`/`or` left-associative):
 *   filter    = or
 *   or        = and *("or" and)
 *   and       = unary *("and" unary)
 *   unary     = "not" "(" or ")" / "(" or ")" / attrPath "[" or "]" / attrPath "pr" / attrPath compareOp compValue
 *   patchPath = attrPath ["[" or "]" ["." subAttr]]
 * Keywords and operators are case-insensitive; compValue is a JSON string, number, true, false or null.
 */
import { COMPARE_OPS, type CompareOp, type FilterAst } from "./filter-ast.js";
import { SyntaxProblem, tokenize, type Token } from "./filter-lexer.js";
import { resolveInside, resolveTopLevel, unfilterableReason } from "./filter-paths.js";
import { checkComparison } from "./filter-types.js";
import { findAttribute, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef } from "./schema.js";

export interface ParsedPatchPath {
  /** The attribute the path names (with `sub` for "name.givenName" or "emails.value"). */
  attribute: ResolvedAttribute;
  /** The value-path filter, relative to one element of the multi-valued attribute. */
  filter?: FilterAst;
  /** The sub-attribute after a value path: `emails[type eq "work"].value`. */
  subAttribute?: AttributeDef;
}

/** What a parse is for: filters check filterability and may name `schemas`; PATCH paths do neither. */
type Mode = "filter" | "patch";

/** Bounds that keep evaluation and translation (recursive, like this parser) far from the stack's limit. */
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_TERMS = 256;

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly resource: ResourceTypeDef,
    private readonly mode: Mode,
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isWord(token: Token, word: string): boolean {
    return token.type === "word" && token.text.toLowerCase() === word;
  }

  private expect(type: Token["type"], what: string): Token {
    const t = this.next();
    if (t.type !== type) throw new SyntaxProblem(t.position, `expected ${what}, found ${describe(t)}`);
    return t;
  }

  /** A whole filter: an expression followed by the end of the text. */
  filter(): FilterAst {
    const ast = this.or(undefined);
    const t = this.peek();
    if (t.type !== "end") {
      const hint = t.type === "." ? " (a sub-attribute after a value path, emails[...].value, is PATCH path syntax; in a filter write emails[type eq \"work\" and value ...])" : "";
      throw new SyntaxProblem(t.position, `expected 'and', 'or' or the end of the filter, found ${describe(t)}${hint}`);
    }
    return ast;
  }

  patchPath(): ParsedPatchPath {
    const pathToken = this.expect("word", "an attribute path");
    const attribute = this.topLevel(pathToken);
    if (this.peek().type === "end") return { attribute };
    const open = this.expect("[", "'[' or the end of the path");
    const parent = this.valuePathParent(attribute, pathToken, open);
    const filter = this.or(parent);
    this.expect("]", "']' closing the value filter");
    if (this.peek().type === "end") return { attribute, filter };
    this.expect(".", "'.' and a sub-attribute, or the end of the path");
    const subToken = this.expect("word", "a sub-attribute name");
    const subAttribute = subToken.text.includes(".") ? undefined : findAttribute(attribute.attribute.subAttributes, subToken.text);
    if (!subAttribute) throw new SyntaxProblem(subToken.position, `unknown sub-attribute '${subToken.text}' of ${attribute.scimPath}`);
    this.expect("end", "the end of the path");
    return { attribute, filter, subAttribute };
  }

  private or(scope: ResolvedAttribute | undefined): FilterAst {
    let left = this.and(scope);
    while (this.isWord(this.peek(), "or")) {
      this.next();
      left = { kind: "or", left, right: this.and(scope) };
    }
    return left;
  }

  private and(scope: ResolvedAttribute | undefined): FilterAst {
    let left = this.unary(scope);
    while (this.isWord(this.peek(), "and")) {
      this.next();
      left = { kind: "and", left, right: this.unary(scope) };
    }
    return left;
  }

  private unary(scope: ResolvedAttribute | undefined): FilterAst {
    const t = this.next();
    if (++this.terms > MAX_FILTER_TERMS) throw new SyntaxProblem(t.position, `a filter has at most ${MAX_FILTER_TERMS} terms`);
    if (this.isWord(t, "not") && this.peek().type === "(") {
      this.next();
      const filter = this.nested(scope, t);
      this.expect(")", "')' closing 'not ('");
      return { kind: "not", filter };
    }
    if (t.type === "(") {
      const inner = this.nested(scope, t);
      this.expect(")", "')'");
      return inner;
    }
    if (t.type !== "word") throw new SyntaxProblem(t.position, `expected an attribute path, 'not (' or '(', found ${describe(t)}`);
    const path = scope ? resolveInside(scope, t.text, t.position) : this.topLevel(t);
    const op = this.next();
    if (op.type === "[") {
      if (scope) throw new SyntaxProblem(op.position, `value paths cannot nest: ${scope.scimPath}[...] already selects elements`);
      const parent = this.valuePathParent(path, t, op);
      const filter = this.or(parent);
      this.expect("]", `']' closing ${parent.scimPath}[`);
      return { kind: "valuePath", path: parent, filter };
    }
    if (op.type !== "word") throw new SyntaxProblem(op.position, `expected an operator (${COMPARE_OPS.join(", ")}, pr) after '${t.text}', found ${describe(op)}`);
    const name = op.text.toLowerCase();
    this.checkFilterable(path, t);
    if (name === "pr") return { kind: "present", path };
    if (!(COMPARE_OPS as readonly string[]).includes(name)) {
      throw new SyntaxProblem(op.position, `unknown operator '${op.text}' after '${t.text}': use one of ${COMPARE_OPS.join(", ")} or pr`);
    }
    const value = this.next();
    return checkComparison(path, name as CompareOp, value);
  }

  private nested(scope: ResolvedAttribute | undefined, open: Token): FilterAst {
    if (++this.depth > MAX_FILTER_DEPTH) throw new SyntaxProblem(open.position, `parentheses nest at most ${MAX_FILTER_DEPTH} deep`);
    const inner = this.or(scope);
    this.depth--;
    return inner;
  }

  private topLevel(t: Token): ResolvedAttribute {
    return resolveTopLevel(this.resource, t.text, t.position, this.mode === "filter");
  }

  private checkFilterable(path: ResolvedAttribute, t: Token): void {
    if (this.mode !== "filter") return;
    const reason = unfilterableReason(path);
    if (reason) throw new SyntaxProblem(t.position, reason);
  }

  /** The attribute before "[": complex, named without a sub-attribute; multi-valued for PATCH. */
  private valuePathParent(path: ResolvedAttribute, t: Token, open: Token): ResolvedAttribute {
    if (path.sub) throw new SyntaxProblem(open.position, `'${t.text}[' names a sub-attribute: a value filter applies to a complex attribute, e.g. emails[type eq "work"]`);
    if (path.attribute.type !== "complex") throw new SyntaxProblem(open.position, `${path.scimPath} is not complex, so it has no elements to filter with [...]`);
    if (this.mode === "patch" && !path.attribute.multiValued) {
      throw new SyntaxProblem(open.position, `${path.scimPath} is single-valued: a value filter [...] selects elements of a multi-valued attribute`);
    }
    if (this.mode === "filter") this.checkFilterable(path, t);
    return path;
  }
}

function describe(t: Token): string {
  return t.type === "end" ? "the end of the text" : `'${t.text}'`;
}

/** Parses a filter; throws SyntaxProblem (the caller maps it to a ScimError). */
export function parseFilterSyntax(resource: ResourceTypeDef, text: string): FilterAst {
  return new Parser(tokenize(text), resource, "filter").filter();
}

/** Parses a PATCH path; throws SyntaxProblem (the caller maps it to a ScimError). */
export function parsePatchPathSyntax(resource: ResourceTypeDef, text: string): ParsedPatchPath {
  return new Parser(tokenize(text), resource, "patch").patchPath();
}
