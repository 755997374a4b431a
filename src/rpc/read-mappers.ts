import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditLogEntryKind, ListAuditLogsResponse_AuditLogEntrySchema, ResourceType, type ListAuditLogsResponse_AuditLogEntry } from "../../gen/gitpod/v1/event_pb.js";
import { GroupMembershipSchema, GroupSchema, type Group, type GroupMembership } from "../../gen/gitpod/v1/group_pb.js";
import { Principal } from "../../gen/gitpod/v1/identity_pb.js";
import { OrganizationMemberSchema, OrganizationRole, type OrganizationMember } from "../../gen/gitpod/v1/organization_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";
import { AuditLogDetailsSchema, type AuditLogDetails } from "../../gen/scimservice/v1/audit_details_pb.js";
import type { AuditEntryKind, AuditEntryRecord, AuditSubjectType } from "../domain/audit/audit-entry.js";
import type { GroupMemberView, GroupSummary } from "../domain/provisioning/organization-directory.js";
import type { MemberRecord, MemberStatus } from "../domain/provisioning/records.js";

export const STATUS_TO_PROTO: Record<MemberStatus, UserStatus> = {
  active: UserStatus.ACTIVE,
  suspended: UserStatus.SUSPENDED,
  left: UserStatus.LEFT,
};

/** A member: SCIM provisions no roles, so every member is a MEMBER; login_provider is the SCIM configuration that first provisioned it. */
export function memberToProto(m: MemberRecord): OrganizationMember {
  return create(OrganizationMemberSchema, {
    userId: m.id,
    role: OrganizationRole.MEMBER,
    memberSince: timestampFromDate(m.createdAt),
    fullName: m.fullName,
    email: m.email,
    status: STATUS_TO_PROTO[m.status],
    loginProvider: m.loginProvider,
  });
}

/** A provisioned group; its description says which SCIM configuration provisions it. */
export function groupToProto({ group, memberCount }: GroupSummary): Group {
  return create(GroupSchema, {
    id: group.id,
    organizationId: group.organizationId,
    name: typeof group.attributes["displayName"] === "string" ? group.attributes["displayName"] : "",
    systemManaged: false,
    createdAt: timestampFromDate(group.created),
    updatedAt: timestampFromDate(group.lastModified),
    description: `Provisioned through SCIM configuration ${group.scimConfigurationId}`,
    memberCount,
    directShare: false,
  });
}

/** The membership id names the group and the member's SCIM User, so DeleteMembership can name the group's owner. */
export function membershipId(groupId: string, scimUserId: string): string {
  return `${groupId}:${scimUserId}`;
}

export function membershipToProto(m: GroupMemberView): GroupMembership {
  return create(GroupMembershipSchema, {
    id: membershipId(m.groupId, m.id),
    subject: { id: m.userId, principal: Principal.USER },
    groupId: m.groupId,
    name: m.name,
  });
}

export const SUBJECT_TYPE_TO_PROTO: Record<AuditSubjectType, ResourceType> = {
  scim_configuration: ResourceType.SCIM_CONFIGURATION,
  sso_configuration: ResourceType.SSO_CONFIG,
  api_key: ResourceType.SERVICE_ACCOUNT_TOKEN,
  user: ResourceType.USER,
  group: ResourceType.GROUP,
};

const KIND_TO_PROTO: Record<AuditEntryKind, AuditLogEntryKind> = {
  resource_change: AuditLogEntryKind.RESOURCE_CHANGE,
  credential_access: AuditLogEntryKind.CREDENTIAL_ACCESS,
};

/** Every actor here is an automation (an API key, a SCIM configuration's token, the CLI): a service account. */
export const ACTOR_PRINCIPAL = Principal.SERVICE_ACCOUNT;

export function auditEntryToProto(e: AuditEntryRecord): ListAuditLogsResponse_AuditLogEntry {
  return create(ListAuditLogsResponse_AuditLogEntrySchema, {
    id: e.id,
    actorId: e.actorId,
    actorPrincipal: ACTOR_PRINCIPAL,
    subjectId: e.subjectId,
    subjectType: SUBJECT_TYPE_TO_PROTO[e.subjectType],
    action: e.action,
    createdAt: timestampFromDate(e.createdAt),
    kind: KIND_TO_PROTO[e.kind],
  });
}

export function auditDetailsToProto(e: AuditEntryRecord): AuditLogDetails {
  return create(AuditLogDetailsSchema, {
    auditLogEntryId: e.id,
    requestId: e.requestId,
    clientAddress: e.clientAddress,
    changedFields: [...e.changedFields],
    scimConfigurationId: e.scimConfigurationId,
    scimResourceId: e.scimResourceId,
    bulkOperation: e.bulkOperation,
    actorKind: e.actorKind,
  });
}
