/**
 * The type rules of a comparison (RFC 7644 §3.4.2.2): which operators each attribute type takes
 * and what a value must look like. A value of the wrong type is an error naming the attribute,
 * never a comparison that silently matches nothing.
 */
import type { CompareOp, FilterAst } from "./filter-ast.js";
import { SyntaxProblem, type Token } from "./filter-lexer.js";
import { findAttribute, resolveIn, type ResolvedAttribute } from "./schema.js";
import { parseDateTime } from "./values.js";

const ORDERING: readonly CompareOp[] = ["gt", "ge", "lt", "le"];
const SUBSTRING: readonly CompareOp[] = ["co", "sw", "ew"];

/** The node for `path op value`, after checking the operator and the value against the attribute's type. */
export function checkComparison(path: ResolvedAttribute, op: CompareOp, token: Token): FilterAst {
  const value = unquotedString(path, token) ?? literal(token);
  const fail = (rule: string) => new SyntaxProblem(token.position, `${path.scimPath} ${op} ${token.text}: ${rule}`);
  if (value === null) {
    // RFC 7644 gives null no meaning of its own: "equal to null" is read as "absent".
    if (op === "eq") return { kind: "not", filter: { kind: "present", path } };
    if (op === "ne") return { kind: "present", path };
    throw fail("null compares only with eq or ne (or use 'pr')");
  }
  path = comparable(path, token);
  const def = path.sub ?? path.attribute;
  switch (def.type) {
    case "string":
    case "reference":
      if (typeof value !== "string") throw fail(`${path.scimPath} is a string: write the value in double quotes`);
      break;
    case "binary":
      if (typeof value !== "string") throw fail(`${path.scimPath} is binary (base64 text): write the value in double quotes`);
      if (ORDERING.includes(op)) throw fail("binary attributes cannot be ordered (gt, ge, lt, le)");
      break;
    case "boolean":
      if (typeof value !== "boolean") throw fail(`${path.scimPath} is a boolean: compare it with true or false`);
      if (op !== "eq" && op !== "ne") throw fail("booleans compare only with eq and ne");
      break;
    case "dateTime":
      if (typeof value !== "string" || !parseDateTime(value)) throw fail(`${path.scimPath} is a dateTime: write an RFC 3339 date-time in double quotes, e.g. "2011-05-13T04:42:34Z"`);
      if (SUBSTRING.includes(op)) throw fail("dateTime attributes compare only with eq, ne, gt, ge, lt and le");
      break;
    case "integer":
    case "decimal":
      if (typeof value !== "number" || (def.type === "integer" && !Number.isInteger(value))) throw fail(`${path.scimPath} is ${def.type === "integer" ? "an integer" : "a decimal"}: write a number without quotes`);
      if (SUBSTRING.includes(op)) throw fail("numbers compare only with eq, ne, gt, ge, lt and le");
      break;
    case "complex":
      throw fail("complex attributes cannot be compared");
  }
  return { kind: "compare", path, op, value };
}

/**
 * The path a comparison really applies to: a multi-valued complex attribute compares its `value`
 * sub-attribute (`emails co "example.com"` in RFC 7644 §3.4.2.2); any other complex attribute
 * must name a sub-attribute.
 */
function comparable(path: ResolvedAttribute, token: Token): ResolvedAttribute {
  if (path.sub || path.attribute.type !== "complex") return path;
  const value = path.attribute.multiValued ? resolveIn(path.schema, path.attribute, "value") : undefined;
  if (value) return value;
  const subs = (path.attribute.subAttributes ?? []).map((s) => `${path.scimPath}.${s.name}`).join(", ");
  throw new SyntaxProblem(token.position, `${path.scimPath} is complex: compare one of its sub-attributes (${subs})`);
}

/**
 * Microsoft Entra ID's tutorial, "Handling provisioning and deprovisioning of users", example 1,
 * queries `filter=externalId eq jyoung` with the value unquoted
 * (https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
 * scim.md accepts documented identity-provider forms, so a bare word (other than true, false and
 * null) compared with a string or reference attribute is read as that string. Anything else
 * unquoted stays an error naming the rule.
 */
function unquotedString(path: ResolvedAttribute, token: Token): string | undefined {
  if (token.type !== "word" || ["true", "false", "null"].includes(token.text.toLowerCase())) return undefined;
  const def = path.sub ?? (path.attribute.type === "complex" && path.attribute.multiValued ? findAttribute(path.attribute.subAttributes, "value") : path.attribute);
  return def !== undefined && (def.type === "string" || def.type === "reference") ? token.text : undefined;
}

function literal(token: Token): string | number | boolean | null {
  if (token.type === "string" || token.type === "number") return token.value!;
  if (token.type === "word") {
    const word = token.text.toLowerCase();
    if (word === "true") return true;
    if (word === "false") return false;
    if (word === "null") return null;
  }
  const found = token.type === "end" ? "the end of the text" : `'${token.text}'`;
  throw new SyntaxProblem(token.position, `expected a value (a JSON string in double quotes, a number, true, false or null), found ${found}`);
}
