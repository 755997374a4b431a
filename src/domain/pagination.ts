import { isUuid } from "./ids.js";
import { ValidationError } from "./validation-error.js";

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** A page request after validation: how many, and the id to continue after (keyset). */
export interface PageRequest {
  limit: number;
  afterId: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; "" when there is none. */
  nextToken: string;
}

/** The raw page parameters, from the body or from the URL query (the query wins). */
export interface PageParams {
  pageSize?: number | string | undefined;
  token?: string | undefined;
}

/**
 * Validates page parameters. `query` comes from the URL (`?token=&pageSize=`), `body` from the
 * message's `pagination`; the SDKs send the next cursor only in the query while re-sending the
 * first body, so a query value must override the body's.
 */
export function parsePageRequest(body: PageParams, query: PageParams = {}): PageRequest {
  const rawSize = query.pageSize ?? body.pageSize ?? 0;
  // "abc" is a different mistake from 500: say which one it is.
  const size = typeof rawSize === "number" ? rawSize : /^\s*-?\d+\s*$/.test(rawSize) ? Number(rawSize) : NaN;
  if (!Number.isInteger(size)) {
    throw new ValidationError("pagination.page_size", `must be a whole number (got ${JSON.stringify(String(rawSize).slice(0, 40))})`);
  }
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw new ValidationError("pagination.page_size", `must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  const token = query.token ?? body.token ?? "";
  return { limit: size === 0 ? DEFAULT_PAGE_SIZE : size, afterId: token === "" ? undefined : decodeCursor(token) };
}

const CURSOR_VERSION = "v1";

/** Builds the cursor that continues after the given id. */
export function encodeCursor(afterId: string): string {
  return Buffer.from(`${CURSOR_VERSION}:${afterId}`, "utf8").toString("base64url");
}

function decodeCursor(token: string): string {
  const invalid = new ValidationError("pagination.token", "is not a page token returned by this service");
  if (token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  const [version, id, ...rest] = Buffer.from(token, "base64url").toString("utf8").split(":");
  if (version !== CURSOR_VERSION || id === undefined || rest.length > 0 || !isUuid(id)) throw invalid;
  return id.toLowerCase();
}

/** Turns limit+1 fetched rows into a page: the extra row only says whether more exist. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextToken: "" };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeCursor(items[items.length - 1]!.id) };
}

/**
 * Cuts a page short where the items' sizes add up to more than `maxBytes` (keeping at least one),
 * so the client continues after the last item kept. Record sizes are bounded by the write rules,
 * but a full page of the largest ones must still fit in one response.
 */
export function fitPage<T extends { id: string }>(page: Page<T>, maxBytes: number, sizeOf: (item: T) => number): Page<T> {
  let total = 0;
  for (const [i, item] of page.items.entries()) {
    total += sizeOf(item);
    if (total > maxBytes && i > 0) return { items: page.items.slice(0, i), nextToken: encodeCursor(page.items[i - 1]!.id) };
  }
  return page;
}
