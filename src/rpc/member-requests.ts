import { create } from "@bufbuild/protobuf";
import { CountResponseRelation, CountResponseSchema } from "../../gen/gitpod/v1/count_pb.js";
import { LoginProviderKind } from "../../gen/gitpod/v1/login_provider_pb.js";
import {
  ListMembersRequest_SortField,
  ListMembersResponseSchema,
  OrganizationRole,
  type ListMembersRequest,
  type ListMembersResponse,
} from "../../gen/gitpod/v1/organization_pb.js";
import { SortOrder } from "../../gen/gitpod/v1/pagination_pb.js";
import { PaginationResponseSchema } from "../../gen/gitpod/v1/pagination_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";
import { parsePageRequest, type PageParams } from "../domain/pagination.js";
import { requireOwnOrganization, type Principal } from "../domain/principal.js";
import { decodeMemberCursor, encodeMemberCursor, type MemberFilter, type MemberListRequest, type MemberSort } from "../domain/provisioning/member-list.js";
import type { OrganizationDirectory } from "../domain/provisioning/organization-directory.js";
import type { MemberStatus } from "../domain/provisioning/records.js";
import { maxLength, requireUuid } from "../domain/rules.js";
import { ValidationError } from "../domain/validation-error.js";
import { memberToProto } from "./read-mappers.js";

/** Most user ids one ListMembers filter may name. */
export const MAX_FILTER_IDS = 1000;

const STATUS_FROM_PROTO: Partial<Record<UserStatus, MemberStatus>> = {
  [UserStatus.ACTIVE]: "active",
  [UserStatus.SUSPENDED]: "suspended",
  [UserStatus.LEFT]: "left",
};

/**
 * OrganizationService.ListMembers: the caller's organization's provisioned members, filtered and
 * ordered as upstream allows, keyset paged (the page token holds the last member's position).
 * Filters that can match nothing here (an ADMIN role, a login provider other than SSO) answer an
 * empty page; exclude_group_ids is refused rather than ignored.
 */
export async function listMembers(directory: OrganizationDirectory, principal: Principal, req: ListMembersRequest, query: PageParams): Promise<ListMembersResponse> {
  const { limit } = parsePageRequest({ pageSize: req.pagination?.pageSize }, { pageSize: query.pageSize });
  const token = query.token ?? req.pagination?.token ?? "";
  const after = token === "" ? undefined : decodeMemberCursor(token);
  const organizationId = requireUuid("organization_id", req.organizationId);
  const { filter, none } = memberFilter(req);
  const sort = memberSort(req);
  requireOwnOrganization(principal, organizationId);

  const request: MemberListRequest = { filter, sort, limit, after };
  const page = none ? { items: [], more: false } : await directory.listMembers(organizationId, request);
  const last = page.items[page.items.length - 1];
  const count = req.count?.include ? (none ? 0 : await directory.countMembers(organizationId, filter)) : undefined;
  return create(ListMembersResponseSchema, {
    pagination: create(PaginationResponseSchema, { nextToken: page.more && last ? encodeMemberCursor(last) : "" }),
    members: page.items.map(memberToProto),
    ...(count !== undefined ? { count: create(CountResponseSchema, { value: count, relation: CountResponseRelation.EQ }) } : {}),
  });
}

function memberFilter(req: ListMembersRequest): { filter: MemberFilter; none: boolean } {
  const f = req.filter;
  if (!f) return { filter: {}, none: false };
  if (f.excludeGroupIds.length > 0) {
    throw new ValidationError("filter.exclude_group_ids", "is not supported by this service: groups here are provisioned by identity providers");
  }
  const statuses = f.statuses.map((s, i) => {
    const status = STATUS_FROM_PROTO[s];
    if (!status) throw new ValidationError(`filter.statuses[${i}]`, "must be USER_STATUS_ACTIVE, USER_STATUS_SUSPENDED or USER_STATUS_LEFT");
    return status;
  });
  if (f.userIds.length > MAX_FILTER_IDS) throw new ValidationError("filter.user_ids", `must name at most ${MAX_FILTER_IDS} users`);
  const userIds = f.userIds.map((id, i) => requireUuid(`filter.user_ids[${i}]`, id));
  const search = maxLength("filter.search", f.search.trim(), 256);
  const email = maxLength("filter.email", f.email.trim(), 1024);
  // Every member here is a MEMBER who signs in through SSO: other roles and providers match none.
  const none =
    (f.roles.length > 0 && !f.roles.includes(OrganizationRole.MEMBER)) ||
    (f.loginProvider !== LoginProviderKind.UNSPECIFIED && f.loginProvider !== LoginProviderKind.SSO);
  return {
    filter: {
      ...(search !== "" ? { search } : {}),
      ...(email !== "" ? { emailKey: email.toLowerCase() } : {}),
      ...(statuses.length > 0 ? { statuses } : {}),
      ...(userIds.length > 0 ? { userIds } : {}),
    },
    none,
  };
}

/** Unspecified: by name, ascending, as upstream (which also puts the caller first; callers here are API keys). */
function memberSort(req: ListMembersRequest): MemberSort {
  const order = req.sort?.order === SortOrder.DESC ? "desc" : "asc";
  const field = req.sort?.field === ListMembersRequest_SortField.DATE_JOINED ? "memberSince" : "name";
  return { field, order };
}
