import type { FilterAst } from "../scim/filter.js";

/** The attributes identity providers look resources up by, which stores serve from an index. */
export type IndexedAttribute = "id" | "userName" | "externalId" | "emails.value" | "displayName";

const INDEXED = new Set<string>(["id", "userName", "externalId", "emails.value", "displayName"]);

/**
 * The equality on an indexed attribute that every match of `filter` must satisfy (the filter
 * itself, one operand of a chain of `and`s, or such an equality inside a value path), with its value as the search form holds it
 * (lowercased when the attribute is not case-exact). A store fetches the candidates by that
 * index and checks the rest of the filter on them only: `userName eq "x"` costs a lookup, not a
 * scan, at any size.
 */
export function indexedEquality(filter: FilterAst | undefined): { attribute: IndexedAttribute; value: string } | undefined {
  if (!filter) return undefined;
  if (filter.kind === "and") return indexedEquality(filter.left) ?? indexedEquality(filter.right);
  // emails[type eq "work" and value eq "x"]: a match needs an element whose value is x, so the
  // equality on emails.value selects the candidates just as well.
  if (filter.kind === "valuePath") return indexedEquality(filter.filter);
  if (filter.kind !== "compare" || filter.op !== "eq" || typeof filter.value !== "string") return undefined;
  const path = filter.path;
  if (path.schema.storageKey) return undefined;
  const name = path.sub ? `${path.attribute.name}.${path.sub.name}` : path.attribute.name;
  if (!INDEXED.has(name)) return undefined;
  const caseExact = (path.sub ?? path.attribute).caseExact;
  return { attribute: name as IndexedAttribute, value: caseExact ? filter.value : filter.value.toLowerCase() };
}
