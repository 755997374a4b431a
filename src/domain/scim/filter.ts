/**
 * SCIM filters and PATCH paths: the public face of the parser, formatter and evaluator.
 * - parseFilter: filter text → tree resolved against a resource type; 400 invalidFilter otherwise.
 * - parsePatchPath: PATCH `path` → attribute, optional element filter and sub-attribute; 400 invalidPath.
 * - formatFilter: tree → text (parseFilter(formatFilter(ast)) equals ast).
 * - evaluateFilter / evaluateElementFilter: the in-memory semantics the MongoDB translation matches.
 */
import { SyntaxProblem } from "./filter-lexer.js";
import { parseFilterSyntax, parsePatchPathSyntax, type ParsedPatchPath } from "./filter-parser.js";
import type { FilterAst } from "./filter-ast.js";
import type { ResourceTypeDef } from "./schema.js";
import { badRequest } from "./scim-error.js";

export * from "./filter-ast.js";
export { formatElementFilter, formatFilter } from "./filter-format.js";
export { evaluateElementFilter, evaluateFilter, schemasOfRecord } from "./filter-eval.js";
export type { ScimRecord } from "./scim-record.js";
export { MAX_FILTER_DEPTH, MAX_FILTER_TERMS, type ParsedPatchPath } from "./filter-parser.js";

/** Longer texts are refused before parsing: no identity provider sends filters anywhere near this. */
export const MAX_FILTER_LENGTH = 4096;

export function parseFilter(resource: ResourceTypeDef, text: string): FilterAst {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest("invalidFilter", `Invalid filter: longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    return parseFilterSyntax(resource, text);
  } catch (e) {
    if (e instanceof SyntaxProblem) throw badRequest("invalidFilter", `Invalid filter ${quote(text)} ${e.message}`);
    throw e;
  }
}

export function parsePatchPath(resource: ResourceTypeDef, text: string): ParsedPatchPath {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest("invalidPath", `Invalid path: longer than ${MAX_FILTER_LENGTH} characters`);
  try {
    return parsePatchPathSyntax(resource, text);
  } catch (e) {
    if (e instanceof SyntaxProblem) throw badRequest("invalidPath", `Invalid path ${quote(text)} ${e.message}`);
    throw e;
  }
}

/** The text in the detail, shortened so a long filter does not drown the message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
