import { isUuid } from "../ids.js";
import { ValidationError } from "../validation-error.js";
import type { MemberStatus } from "./records.js";

/** Filters of ListMembers (upstream's that apply). */
export interface MemberFilter {
  /** Case-insensitive substring of email or full name. */
  search?: string | undefined;
  /** Exact email, case-insensitive. */
  emailKey?: string | undefined;
  statuses?: readonly MemberStatus[] | undefined;
  userIds?: readonly string[] | undefined;
}

/** How a member list is ordered: by name (case-insensitive, then id) or by member since (= id, UUIDv7). */
export interface MemberSort {
  field: "name" | "memberSince";
  order: "asc" | "desc";
}

/** A member's place in a list, for keyset paging: its name key and id. */
export interface MemberPosition {
  id: string;
  nameKey: string;
}

export interface MemberListRequest {
  filter: MemberFilter;
  sort: MemberSort;
  limit: number;
  /** Continue after this member, in the request's order. */
  after?: MemberPosition | undefined;
}

export interface MemberListPage<T> {
  items: T[];
  /** Whether members follow the last item. */
  more: boolean;
}

/** Longest name prefix that orders members; longer names that share it are ordered by id. */
const NAME_KEY_LENGTH = 64;

/**
 * The key that orders members by name: the full name lowercased, cut to 64 code points (so a
 * page cursor stays short), without the two characters the keyset indexes use as bounds.
 */
export function memberNameKey(fullName: string): string {
  return [...fullName.toLowerCase().replace(/[\u0000\uffff]/g, "")].slice(0, NAME_KEY_LENGTH).join("");
}

/** The sort key of a position in a list of the given order: what ordered-key indexes hold. */
export function memberSortKey(sort: MemberSort, position: MemberPosition): string {
  return sort.field === "name" ? `${position.nameKey}\u0000${position.id}` : position.id;
}

const CURSOR_VERSION = "m1";

/** The page token of ListMembers: a member's position. */
export function encodeMemberCursor(position: MemberPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, position.id, position.nameKey]), "utf8").toString("base64url");
}

export function decodeMemberCursor(token: string): MemberPosition {
  const invalid = new ValidationError("pagination.token", "is not a page token returned by this service");
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== CURSOR_VERSION) throw invalid;
  const [, id, nameKey] = parsed as unknown[];
  if (typeof id !== "string" || !isUuid(id) || typeof nameKey !== "string" || memberNameKey(nameKey) !== nameKey) throw invalid;
  return { id: id.toLowerCase(), nameKey };
}
