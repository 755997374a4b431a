import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  GetGroupResponseSchema,
  GetMembershipResponseSchema,
  ListGroupsResponseSchema,
  ListMembershipsResponseSchema,
  type CreateGroupResponse,
  type CreateMembershipRequest,
  type CreateMembershipResponse,
  type CreateRoleAssignmentResponse,
  type DeleteGroupRequest,
  type DeleteGroupResponse,
  type DeleteMembershipRequest,
  type DeleteMembershipResponse,
  type DeleteRoleAssignmentResponse,
  type GetGroupRequest,
  type GetGroupResponse,
  type GetMembershipRequest,
  type GetMembershipResponse,
  type GroupService,
  type ListGroupsRequest,
  type ListGroupsResponse,
  type ListMembershipsRequest,
  type ListMembershipsResponse,
  type ListRoleAssignmentsResponse,
  type ShareResourceWithPrincipalResponse,
  type UnshareResourceWithPrincipalResponse,
  type UpdateGroupRequest,
  type UpdateGroupResponse,
} from "../../gen/gitpod/v1/group_pb.js";
import { Principal } from "../../gen/gitpod/v1/identity_pb.js";
import { PaginationResponseSchema } from "../../gen/gitpod/v1/pagination_pb.js";
import { parsePageRequest } from "../domain/pagination.js";
import type { OrganizationDirectory } from "../domain/provisioning/organization-directory.js";
import { maxLength, requireNonEmpty, requireUuid } from "../domain/rules.js";
import { ValidationError } from "../domain/validation-error.js";
import { principalOf, queryPageParams, writer } from "./context.js";
import { MAX_FILTER_IDS } from "./member-requests.js";
import { groupToProto, membershipToProto } from "./read-mappers.js";

type Impl = ServiceImpl<typeof GroupService>;

const PROVISIONED = "groups here are provisioned by identity providers through SCIM (/scim/v2)";

/**
 * gitpod.v1.GroupService over the groups identity providers provision, across the caller's
 * organization's SCIM configurations. Reads: GetGroup, ListGroups, GetMembership,
 * ListMemberships. Writes to a provisioned group answer failed_precondition naming the SCIM
 * configuration that owns it (its identity provider would undo them); CreateGroup answers
 * unimplemented (a group made here could never be provisioned), and so do role assignments and
 * shares, which this service has no use for. Writes check the role first, as every write does.
 */
export class GroupServiceHandler implements Impl {
  constructor(private readonly directory: OrganizationDirectory) {}

  async createGroup(_req: unknown, ctx: HandlerContext): Promise<CreateGroupResponse> {
    writer(ctx);
    throw new ConnectError(`CreateGroup is not supported: ${PROVISIONED}; create the group in the identity provider`, Code.Unimplemented);
  }

  async getGroup(req: GetGroupRequest, ctx: HandlerContext): Promise<GetGroupResponse> {
    const { organizationId } = principalOf(ctx);
    let summary;
    if (req.group.case === "name") {
      summary = await this.directory.getGroupByName(organizationId, maxLength("name", requireNonEmpty("name", req.group.value), 1024));
    } else {
      const id = req.group.case === "id" ? requireUuid("id", req.group.value) : requireUuid("group_id", req.groupId);
      summary = await this.directory.getGroup(organizationId, id);
    }
    return create(GetGroupResponseSchema, { group: groupToProto(summary) });
  }

  async listGroups(req: ListGroupsRequest, ctx: HandlerContext): Promise<ListGroupsResponse> {
    const { organizationId } = principalOf(ctx);
    const page = parsePageRequest(req.pagination ?? {}, queryPageParams(ctx));
    const f = req.filter;
    if ((f?.groupIds.length ?? 0) > MAX_FILTER_IDS) throw new ValidationError("filter.group_ids", `must name at most ${MAX_FILTER_IDS} groups`);
    const ids = f?.groupIds.map((id, i) => requireUuid(`filter.group_ids[${i}]`, id));
    const search = maxLength("filter.search", f?.search.trim() ?? "", 256);
    // Provisioned groups are neither system-managed nor direct-share groups.
    const none = f?.systemManaged === true || f?.directShare === true;
    const result = none
      ? { items: [], nextToken: "" }
      : await this.directory.listGroups(organizationId, { ...(search !== "" ? { search } : {}), ...(ids && ids.length > 0 ? { ids } : {}) }, page);
    return create(ListGroupsResponseSchema, {
      pagination: create(PaginationResponseSchema, { nextToken: result.nextToken }),
      groups: result.items.map(groupToProto),
    });
  }

  async updateGroup(req: UpdateGroupRequest, ctx: HandlerContext): Promise<UpdateGroupResponse> {
    const { organizationId } = writer(ctx);
    return this.directory.refuseGroupWrite(organizationId, requireUuid("group_id", req.groupId), "rename or describe it");
  }

  async deleteGroup(req: DeleteGroupRequest, ctx: HandlerContext): Promise<DeleteGroupResponse> {
    const { organizationId } = writer(ctx);
    return this.directory.refuseGroupWrite(organizationId, requireUuid("group_id", req.groupId), "delete it");
  }

  async createMembership(req: CreateMembershipRequest, ctx: HandlerContext): Promise<CreateMembershipResponse> {
    const { organizationId } = writer(ctx);
    return this.directory.refuseGroupWrite(organizationId, requireUuid("group_id", req.groupId), "add members");
  }

  async deleteMembership(req: DeleteMembershipRequest, ctx: HandlerContext): Promise<DeleteMembershipResponse> {
    const { organizationId } = writer(ctx);
    const [groupId, userId, ...rest] = req.membershipId.split(":");
    if (groupId === undefined || userId === undefined || rest.length > 0) {
      throw new ValidationError("membership_id", "must be a membership id as ListMemberships returns it (<group id>:<id>)");
    }
    requireUuid("membership_id", userId);
    return this.directory.refuseGroupWrite(organizationId, requireUuid("membership_id", groupId), "remove members");
  }

  async getMembership(req: GetMembershipRequest, ctx: HandlerContext): Promise<GetMembershipResponse> {
    const { organizationId } = principalOf(ctx);
    const groupId = requireUuid("group_id", req.groupId);
    const subject = req.subject;
    if (!subject) throw new ValidationError("subject", "is required");
    if (subject.principal !== Principal.USER && subject.principal !== Principal.UNSPECIFIED) {
      throw new ValidationError("subject.principal", "must be PRINCIPAL_USER: group members here are users");
    }
    const member = await this.directory.getMembership(organizationId, groupId, requireUuid("subject.id", subject.id));
    return create(GetMembershipResponseSchema, { member: membershipToProto(member) });
  }

  async listMemberships(req: ListMembershipsRequest, ctx: HandlerContext): Promise<ListMembershipsResponse> {
    const { organizationId } = principalOf(ctx);
    const page = parsePageRequest(req.pagination ?? {}, queryPageParams(ctx));
    const groupId = requireUuid("group_id", req.groupId);
    const search = maxLength("filter.search", req.filter?.search.trim() ?? "", 256);
    const result = await this.directory.listMemberships(organizationId, groupId, search === "" ? undefined : search, page);
    return create(ListMembershipsResponseSchema, {
      pagination: create(PaginationResponseSchema, { nextToken: result.nextToken }),
      members: result.items.map(membershipToProto),
    });
  }

  async createRoleAssignment(): Promise<CreateRoleAssignmentResponse> {
    throw unimplemented("role assignments");
  }

  async listRoleAssignments(): Promise<ListRoleAssignmentsResponse> {
    throw unimplemented("role assignments");
  }

  async deleteRoleAssignment(): Promise<DeleteRoleAssignmentResponse> {
    throw unimplemented("role assignments");
  }

  async shareResourceWithPrincipal(): Promise<ShareResourceWithPrincipalResponse> {
    throw unimplemented("resource shares");
  }

  async unshareResourceWithPrincipal(): Promise<UnshareResourceWithPrincipalResponse> {
    throw unimplemented("resource shares");
  }
}


function unimplemented(what: string): ConnectError {
  return new ConnectError(`${what} are not supported by this service: it holds SCIM configurations and what identity providers provision`, Code.Unimplemented);
}
