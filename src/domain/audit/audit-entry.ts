/**
 * The audit trail's records: one entry per change made through the management API, /scim/v2 or
 * the admin CLI, and per SCIM call refused for a reason an admin must see. An entry names who
 * (an id, never a secret), what (an action and a subject), when, and from where (request id,
 * client address); for updates only the names of the fields that changed, never their values.
 */

/** Who made a change: a management API key, a SCIM configuration (its token), the admin CLI, or start-up. */
export type AuditActorKind = "api_key" | "scim_configuration" | "cli" | "system";

export interface AuditActor {
  kind: AuditActorKind;
  /** The API key id, the SCIM configuration id, "cli", or "startup"; never a key or token. */
  id: string;
}

/**
 * Who asks for a change and through which request: every use case that changes something takes
 * one, from the entry point that authenticated the caller (an explicit parameter, so a code path
 * cannot change data without saying on whose behalf).
 */
export interface AuditContext {
  actor: AuditActor;
  /** The request's id (x-request-id), as on its access log line. */
  requestId: string;
  /** The TCP peer of the request; "" where there is none (the admin CLI). */
  clientAddress: string;
  /** For an operation of a SCIM Bulk request: its 1-based position in the request. */
  bulkOperation?: number | undefined;
}

/** What an entry is about (mapped to upstream's ResourceType at the RPC edge). */
export type AuditSubjectType = "scim_configuration" | "sso_configuration" | "api_key" | "user" | "group";

/** A change that happened, or a credential that was presented and refused. */
export type AuditEntryKind = "resource_change" | "credential_access";

/** The actions, one per operation, as `ListAuditLogs` returns them in `action`. */
export const AUDIT_ACTION = {
  ssoCreate: "sso_configuration.create",
  ssoUpdate: "sso_configuration.update",
  ssoDelete: "sso_configuration.delete",
  scimCreate: "scim_configuration.create",
  scimUpdate: "scim_configuration.update",
  scimDelete: "scim_configuration.delete",
  scimRegenerateToken: "scim_configuration.regenerate_token",
  scimRotateToken: "scim_configuration.rotate_token",
  scimRevokeToken: "scim_configuration.revoke_token",
  scimSetIpAllowlist: "scim_configuration.set_ip_allowlist",
  scimCreateClientSecret: "scim_configuration.create_client_secret",
  scimRevokeClientSecret: "scim_configuration.revoke_client_secret",
  apiKeyCreate: "api_key.create",
  apiKeyRevoke: "api_key.revoke",
  userCreate: "scim.user.create",
  userReplace: "scim.user.replace",
  userPatch: "scim.user.patch",
  userDelete: "scim.user.delete",
  groupCreate: "scim.group.create",
  groupReplace: "scim.group.replace",
  groupPatch: "scim.group.patch",
  groupDelete: "scim.group.delete",
  refusedDisabled: "scim.request.refused.disabled",
  refusedRateLimited: "scim.request.refused.rate_limited",
  refusedAddress: "scim.request.refused.address_not_allowed",
} as const;

export type AuditAction = (typeof AUDIT_ACTION)[keyof typeof AUDIT_ACTION];

/** One stored entry. Absent optional facts are "" or 0, so both stores hold the same shape. */
export interface AuditEntryRecord {
  /** UUIDv7; `createdAt` is the time it encodes, so id order is time order. */
  id: string;
  organizationId: string;
  createdAt: Date;
  kind: AuditEntryKind;
  actorKind: AuditActorKind;
  actorId: string;
  action: AuditAction;
  subjectType: AuditSubjectType;
  /** The configuration's, key's or group's id; for SCIM Users the member's user id. */
  subjectId: string;
  requestId: string;
  clientAddress: string;
  /** For updates: names of the fields that changed (never values). */
  changedFields: string[];
  /** For provisioning entries: the SCIM configuration whose token made the change. */
  scimConfigurationId: string;
  /**
   * For SCIM User entries: the SCIM User's id; for Group entries: the group id; for a
   * configuration's credential changes: the token's or client secret's id (never the secret).
   */
  scimResourceId: string;
  /** 1-based position in a SCIM Bulk request; 0 for a single request. */
  bulkOperation: number;
}
