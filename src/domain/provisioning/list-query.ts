import { createHash } from "node:crypto";
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

/**
 * What a cursor belongs to: one list, named by the SCIM configuration and the resource endpoint
 * (`<configurationId>/Users`). A cursor carries a short digest of it, so a cursor of another
 * configuration's list or of /Groups given to /Users is refused as foreign (400 invalidCursor)
 * instead of silently paging another list from an unrelated position. Not a secret: ids are
 * time-ordered, not confidential, and a forged cursor for one's own list reaches nothing that
 * paging would not.
 */
export type CursorScope = string;

const scopeTag = (scope: CursorScope): string => createHash("sha256").update(scope).digest("base64url").slice(0, 12);

/** The opaque cursor of a position in the list `scope`: after or before an id. */
export function encodeCursor(direction: "after" | "before", id: string, scope: CursorScope): string {
  return Buffer.from(`${CURSOR_VERSION}:${direction === "after" ? "a" : "b"}:${id}:${scopeTag(scope)}`, "utf8").toString("base64url");
}

/** A cursor this server issued for the list `scope`; anything else is 400 invalidCursor. "" starts a walk. */
export function decodeCursor(cursor: string, scope: CursorScope): { after?: string; before?: string } {
  if (cursor === "") return {};
  const invalid = badRequest("invalidCursor", "cursor is not a cursor this server returned for this list; start again with cursor= (empty)");
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid;
  const [version, direction, id, tag, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split(":");
  if (version !== CURSOR_VERSION || rest.length > 0 || id === undefined || !isUuid(id) || (direction !== "a" && direction !== "b")) throw invalid;
  if (tag !== scopeTag(scope)) throw invalid;
  return direction === "a" ? { after: id.toLowerCase() } : { before: id.toLowerCase() };
}

/** Largest page a list answers (ServiceProviderConfig's filter.maxResults and maxPageSize). */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
