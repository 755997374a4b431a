/**
 * The search form of a record: the normalized document the database filters and sorts on
 * (MongoDB keeps it under the field `s` of each resource document; the memory store can compute
 * it on the fly). Same layout as the stored attributes (storage paths), normalized as values.ts
 * says (caseExact=false strings lowercased, dateTimes as Dates, empty values left out), plus:
 * - `id`, `meta: {created, lastModified}` and `schemas` (lowercased URNs), which filters may name;
 * - `_primary`: for each multi-valued complex attribute, its primary element (else its first),
 *   because RFC 7644 §3.4.2.3 sorts a multi-valued attribute by that value;
 * - `_has`: `true` at the path of every sortable value that is present. RFC 7644 §3.4.2.3 puts
 *   resources without the value LAST when ascending and FIRST when descending; MongoDB orders a
 *   missing field before everything ascending. Sorting first on the presence flag (descending for
 *   an ascending sort) gives the RFC's order with a plain index-able sort.
 * `_primary` and `_has` start with "_", which no SCIM attribute name can (RFC 7643 §2.1 ATTRNAME).
 * The computed `groups` / `members` and `password` are not in it (never stored with the record).
 */
import { schemasOfRecord } from "./filter-eval.js";
import { isComputed, SCHEMAS_ATTRIBUTE, unfilterableReason } from "./filter-paths.js";
import { COMMON_ATTRIBUTES, resolveAttribute, resolveIn, schemasOf, type AttributeDef, type ResolvedAttribute, type ResourceTypeDef } from "./schema.js";
import type { ScimRecord } from "./scim-record.js";
import { badRequest } from "./scim-error.js";
import { compareCodePoints, normalizeAttribute } from "./values.js";

export type SearchForm = Record<string, unknown>;

const EXTERNAL_ID = COMMON_ATTRIBUTES.find((a) => a.name === "externalId")!;

export function searchForm(resource: ResourceTypeDef, record: Pick<ScimRecord, "id" | "created" | "lastModified" | "attributes">): SearchForm {
  const form: SearchForm = {
    id: record.id,
    meta: { created: record.created, lastModified: record.lastModified },
    schemas: normalizeAttribute(SCHEMAS_ATTRIBUTE, schemasOfRecord(resource.schema.id, record.attributes)),
  };
  const primary: Record<string, unknown> = {};
  const has: Record<string, unknown> = {};
  for (const schema of schemasOf(resource)) {
    const holder = schema.storageKey ? record.attributes[schema.storageKey] : record.attributes;
    if (typeof holder !== "object" || holder === null) continue;
    const target = schema.storageKey ? {} : form;
    const targetHas = schema.storageKey ? {} : has;
    const attributes = schema === resource.schema ? [EXTERNAL_ID, ...schema.attributes] : schema.attributes;
    for (const def of attributes) {
      if (!searchable(resource, def)) continue;
      const value = normalizeAttribute(def, (holder as Record<string, unknown>)[def.name]);
      if (value === undefined) continue;
      target[def.name] = value;
      if (def.multiValued && def.type === "complex") {
        const chosen = primaryElement(value as Record<string, unknown>[]);
        (schema.storageKey ? ((primary[schema.storageKey] ??= {}) as Record<string, unknown>) : primary)[def.name] = chosen;
        targetHas[def.name] = presence(chosen);
      } else if (!def.multiValued) {
        targetHas[def.name] = def.type === "complex" ? presence(value as Record<string, unknown>) : true;
      }
    }
    if (schema.storageKey && Object.keys(target).length > 0) {
      form[schema.storageKey] = target;
      has[schema.storageKey] = targetHas;
    }
  }
  has["id"] = true;
  has["meta"] = { created: true, lastModified: true };
  form["_primary"] = primary;
  form["_has"] = has;
  return form;
}

/** Attributes the search form holds: all stored ones a filter may name (not password; groups and members are not stored). */
function searchable(resource: ResourceTypeDef, def: AttributeDef): boolean {
  return def.returned !== "never" && !isComputed(resource, def);
}

function primaryElement(elements: Record<string, unknown>[]): Record<string, unknown> {
  return elements.find((e) => e["primary"] === true) ?? elements[0]!;
}

function presence(element: Record<string, unknown>): Record<string, true> {
  return Object.fromEntries(Object.keys(element).map((k) => [k, true]));
}

/**
 * The attribute a `sortBy` names (RFC 7644 §3.4.2.3). A multi-valued complex attribute sorts by
 * its `value` (of the primary element); any other complex attribute must name a sub-attribute.
 */
export function resolveSortBy(resource: ResourceTypeDef, sortBy: string): ResolvedAttribute {
  const resolved = resolveAttribute(resource, sortBy);
  if (!resolved) throw badRequest("invalidValue", `sortBy ${JSON.stringify(sortBy)} names no attribute of the ${resource.name} schema`);
  let path = resolved;
  if (!path.sub && path.attribute.type === "complex") {
    const value = path.attribute.multiValued ? resolveIn(path.schema, path.attribute, "value") : undefined;
    if (!value) throw badRequest("invalidValue", `sortBy ${JSON.stringify(sortBy)}: ${path.scimPath} is complex; sort by one of its sub-attributes, e.g. ${path.scimPath}.${path.attribute.subAttributes![0]!.name}`);
    path = value;
  }
  const reason = unfilterableReason(path);
  if (reason) throw badRequest("invalidValue", `sortBy ${JSON.stringify(sortBy)}: ${reason.replace("filtered on", "sorted by")}`);
  if ((path.sub ?? path.attribute).type === "binary") throw badRequest("invalidValue", `sortBy ${JSON.stringify(sortBy)}: binary attributes cannot be sorted by`);
  return path;
}

/** Where a sort key lives in the search form: the value, and its presence flag. */
export function sortPaths(path: ResolvedAttribute): { value: string[]; has: string[] } {
  const value = path.attribute.multiValued && path.attribute.type === "complex" ? ["_primary", ...path.storagePath] : path.storagePath;
  return { value, has: ["_has", ...path.storagePath] };
}

export type SortOrder = "ascending" | "descending";

/**
 * The order of two search forms by `path` (for the memory store): present values first when
 * ascending and last when descending, as RFC 7644 §3.4.2.3 says; strings by code point, dates by
 * instant, false before true. Ties compare 0: the caller adds its own tie-breaker (creation order).
 */
export function compareSearchForms(path: ResolvedAttribute, order: SortOrder): (a: SearchForm, b: SearchForm) => number {
  const { value, has } = sortPaths(path);
  const sign = order === "ascending" ? 1 : -1;
  return (a, b) => {
    const pa = at(a, has) === true;
    const pb = at(b, has) === true;
    if (pa !== pb) return (pa ? -1 : 1) * sign;
    if (!pa) return 0;
    return sign * compareValues(at(a, value), at(b, value));
  };
}

function compareValues(x: unknown, y: unknown): number {
  if (typeof x === "string" && typeof y === "string") return compareCodePoints(x, y);
  if (x instanceof Date && y instanceof Date) return Math.sign(x.getTime() - y.getTime());
  if (typeof x === "number" && typeof y === "number") return Math.sign(x - y);
  if (typeof x === "boolean" && typeof y === "boolean") return x === y ? 0 : x ? 1 : -1;
  return 0;
}

function at(form: SearchForm, path: string[]): unknown {
  let v: unknown = form;
  for (const key of path) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
