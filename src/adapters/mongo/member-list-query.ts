import type { IndexDescription } from "mongodb";
import type { MemberFilter, MemberListRequest } from "../../domain/provisioning/member-list.js";

/**
 * The indexes ListMembers' queries need on the members collection (documents are MemberRecords
 * with `_id` for `id`): one per order, with and without a status, so a page is an index range
 * walk from the cursor whatever the filter (search is checked on the walked documents).
 */
export const MEMBER_LIST_INDEXES: IndexDescription[] = [
  { key: { organizationId: 1, nameKey: 1, _id: 1 }, name: "organization_name_page" },
  { key: { organizationId: 1, status: 1, nameKey: 1, _id: 1 }, name: "organization_status_name_page" },
  { key: { organizationId: 1, status: 1, _id: 1 }, name: "organization_status_page" },
  { key: { organizationId: 1, _id: 1 }, name: "organization_page" },
];

/** One page's find: filter, sort and limit (one more than the page, to tell whether more follow). */
export interface MemberListQuery {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
  limit: number;
}

/** The MongoDB query of one ListMembers page: the filter, the keyset position and the order. */
export function memberListQuery(organizationId: string, request: MemberListRequest): MemberListQuery {
  const direction = request.sort.order === "asc" ? 1 : -1;
  const beyond = direction === 1 ? "$gt" : "$lt";
  const and: Record<string, unknown>[] = [];
  const search = searchClause(request.filter);
  if (search) and.push(search);
  if (request.after) {
    const { id, nameKey } = request.after;
    // Keyset: after (nameKey, id) in the list's order; by date the id alone orders.
    and.push(request.sort.field === "name" ? { $or: [{ nameKey: { [beyond]: nameKey } }, { nameKey, _id: { [beyond]: id } }] } : { _id: { [beyond]: id } });
  }
  // $and keeps the clauses apart: the keyset's _id bound must not replace a user-id filter's _id.
  const filter: Record<string, unknown> = { organizationId, ...equalities(request.filter), ...(and.length > 0 ? { $and: and } : {}) };
  const sort: Record<string, 1 | -1> = request.sort.field === "name" ? { nameKey: direction, _id: direction } : { _id: direction };
  return { filter, sort, limit: request.limit + 1 };
}

/** The count's filter: the same filter without a position. */
export function memberCountFilter(organizationId: string, filter: MemberFilter): Record<string, unknown> {
  const search = searchClause(filter);
  return { organizationId, ...equalities(filter), ...(search ?? {}) };
}

function equalities(f: MemberFilter): Record<string, unknown> {
  const statuses = f.statuses ? [...new Set(f.statuses)] : [];
  return {
    ...(statuses.length === 1 ? { status: statuses[0] } : statuses.length > 1 ? { status: { $in: statuses } } : {}),
    ...(f.emailKey !== undefined ? { emailKey: f.emailKey } : {}),
    ...(f.userIds && f.userIds.length > 0 ? { _id: { $in: [...new Set(f.userIds)] } } : {}),
  };
}

/** A case-insensitive substring of the email or the full name; the text is matched literally. */
function searchClause(f: MemberFilter): Record<string, unknown> | undefined {
  if (!f.search) return undefined;
  const literal = f.search.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return { $or: [{ emailKey: { $regex: literal } }, { fullName: { $regex: literal, $options: "i" } }] };
}
