import { decodeCursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type CursorScope, type ListQuery } from "../../domain/provisioning/list-query.js";
import { parseFilter } from "../../domain/scim/filter.js";
import type { ProjectionParams } from "../../domain/scim/projection.js";
import { SCIM_URN, type ResourceTypeDef } from "../../domain/scim/schema.js";
import { badRequest } from "../../domain/scim/scim-error.js";
import { resolveSortBy, type SortOrder } from "../../domain/scim/search-form.js";

/** A list request, from a GET query or a POST /.search SearchRequest, before validation. */
interface RawListParams {
  filter?: unknown;
  sortBy?: unknown;
  sortOrder?: unknown;
  startIndex?: unknown;
  count?: unknown;
  cursor?: unknown;
  attributes?: unknown;
  excludedAttributes?: unknown;
}

export interface ListRequest {
  query: ListQuery;
  projection: ProjectionParams;
}

/**
 * GET /Users?filter=...&sortBy=...&startIndex=...&count=...&cursor=...&attributes=... (names
 * case-insensitive). `cursorScope` names the list a cursor must have been issued for.
 */
export function listParamsFromQuery(resource: ResourceTypeDef, search: URLSearchParams, cursorScope: CursorScope): ListRequest {
  const raw: Record<string, string> = {};
  for (const [key, value] of search) {
    const name = ["filter", "sortBy", "sortOrder", "startIndex", "count", "cursor", "attributes", "excludedAttributes"].find((n) => n.toLowerCase() === key.toLowerCase());
    if (name) raw[name] = value;
  }
  return parseListParams(resource, raw, cursorScope);
}

/** POST /Users/.search: a SearchRequest (RFC 7644 §3.4.3); `attributes` may be arrays there. */
export function listParamsFromSearchRequest(resource: ResourceTypeDef, body: unknown, cursorScope: CursorScope): ListRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("invalidSyntax", "The body must be a SearchRequest object");
  const entries = Object.entries(body as Record<string, unknown>);
  const schemas = entries.find(([k]) => k.toLowerCase() === "schemas")?.[1];
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === SCIM_URN.searchRequest.toLowerCase()))) {
    throw badRequest("invalidSyntax", `schemas must be ["${SCIM_URN.searchRequest}"]`);
  }
  const raw: RawListParams = {};
  for (const [key, value] of entries) {
    const name = (["filter", "sortBy", "sortOrder", "startIndex", "count", "cursor", "attributes", "excludedAttributes"] as const).find((n) => n.toLowerCase() === key.toLowerCase());
    if (name) raw[name] = value;
  }
  return parseListParams(resource, raw, cursorScope);
}

function parseListParams(resource: ResourceTypeDef, raw: RawListParams, cursorScope: CursorScope): ListRequest {
  const filter = raw.filter === undefined || raw.filter === "" ? undefined : parseFilter(resource, text("filter", raw.filter));
  const sortBy = raw.sortBy === undefined || raw.sortBy === "" ? undefined : resolveSortBy(resource, text("sortBy", raw.sortBy));
  const sortOrder = order(raw.sortOrder);
  // RFC 7644 §3.4.2.4: a count below 0 is 0; above the maximum it is clamped (scim.md).
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, raw.count === undefined || raw.count === "" ? DEFAULT_PAGE_SIZE : integer("count", raw.count)));
  const projection: ProjectionParams = { attributes: names("attributes", raw.attributes), excludedAttributes: names("excludedAttributes", raw.excludedAttributes) };
  if (raw.cursor !== undefined) {
    if (raw.startIndex !== undefined && raw.startIndex !== "") throw badRequest("invalidValue", "Use either cursor or startIndex paging, not both");
    if (sortBy) throw badRequest("invalidValue", "sortBy cannot be combined with cursor paging: cursors walk in creation order (use startIndex paging to sort)");
    const position = decodeCursor(text("cursor", raw.cursor), cursorScope);
    return { query: { filter, page: { kind: "cursor", ...position, count } }, projection };
  }
  // RFC 7644 §3.4.2.4: a startIndex below 1 is 1.
  const startIndex = Math.max(1, raw.startIndex === undefined || raw.startIndex === "" ? 1 : integer("startIndex", raw.startIndex));
  return { query: { filter, sort: sortBy ? { path: sortBy, order: sortOrder } : undefined, page: { kind: "index", startIndex, count } }, projection };
}

function text(name: string, value: unknown): string {
  if (typeof value !== "string") throw badRequest(name === "filter" ? "invalidFilter" : name === "cursor" ? "invalidCursor" : "invalidValue", `${name} must be a string`);
  return value;
}

function integer(name: string, value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw badRequest("invalidValue", `${name} must be a whole number (got ${JSON.stringify(value)})`);
  return n;
}

function order(value: unknown): SortOrder {
  if (value === undefined || value === "") return "ascending";
  const v = typeof value === "string" ? value.toLowerCase() : "";
  if (v === "ascending" || v === "descending") return v;
  throw badRequest("invalidValue", `sortOrder must be "ascending" or "descending" (got ${JSON.stringify(value)})`);
}

function names(name: string, value: unknown): string | string[] | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw badRequest("invalidValue", `${name} must be a comma-separated list of attribute names`);
}
