import { isUuid } from "../ids.js";
import type { FilterAst } from "../scim/filter.js";
import type { ResolvedAttribute } from "../scim/schema.js";
import { badRequest } from "../scim/scim-error.js";
import type { SortOrder } from "../scim/search-form.js";

/** Index paging (RFC 7644 §3.4.2.4): 1-based startIndex, count (0 = only totalResults). */
export interface IndexPage {
  kind: "index";
  startIndex: number;
  count: number;
}

/**
 * Cursor paging (draft-ietf-scim-cursor-pagination), keyset by id (creation order): a page after
 * one id, or before one (previousCursor). Resources that exist throughout a walk are seen once,
 * whatever is created or deleted meanwhile.
 */
export interface CursorPage {
  kind: "cursor";
  after?: string | undefined;
  before?: string | undefined;
  count: number;
}

export interface ListQuery {
  filter?: FilterAst | undefined;
  /** Index paging only: cursor pages walk in creation order. */
  sort?: { path: ResolvedAttribute; order: SortOrder } | undefined;
  page: IndexPage | CursorPage;
}

export interface ListResult<R> {
  totalResults: number;
  items: R[];
  /** Cursor paging: where the next page starts, when there is one. */
  nextAfter?: string | undefined;
  /** Cursor paging: where the previous page ends, when there is one. */
  previousBefore?: string | undefined;
}

const CURSOR_VERSION = "c1";

/** The opaque cursor of a position: after or before an id. */
export function encodeCursor(direction: "after" | "before", id: string): string {
  return Buffer.from(`${CURSOR_VERSION}:${direction === "after" ? "a" : "b"}:${id}`, "utf8").toString("base64url");
}

/** A cursor from this server; anything else is 400 invalidCursor. "" starts a walk. */
export function decodeCursor(cursor: string): { after?: string; before?: string } {
  if (cursor === "") return {};
  const invalid = badRequest("invalidCursor", "cursor is not a cursor returned by this server; start again with cursor= (empty)");
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  const [version, direction, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split(":");
  if (version !== CURSOR_VERSION || rest.length > 0 || id === undefined || !isUuid(id) || (direction !== "a" && direction !== "b")) throw invalid;
  return direction === "a" ? { after: id.toLowerCase() } : { before: id.toLowerCase() };
}

/** Largest page a list answers (ServiceProviderConfig's filter.maxResults and maxPageSize). */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
