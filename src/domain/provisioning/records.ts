/**
 * The stored shape of what identity providers provision through /scim/v2. Users and Groups
 * belong to one SCIM configuration (the token's); members belong to the organization, and each
 * User is one identity of a member (an account), so one person provisioned by two identity
 * providers can be one member.
 */
import type { ScimRecord } from "../scim/scim-record.js";

export interface ScimUserRecord extends ScimRecord {
  scimConfigurationId: string;
  organizationId: string;
  /** The organization member this identity belongs to. */
  memberId: string;
  /** userName lowercased: unique per SCIM configuration (userName is not case-exact). */
  userNameKey: string;
  /** `active` with its default (true) applied: what the member's status follows. */
  active: boolean;
}

export interface ScimGroupRecord extends ScimRecord {
  scimConfigurationId: string;
  organizationId: string;
  /** displayName lowercased: unique per SCIM configuration (as Entra ID expects). */
  displayNameKey: string;
}

/** ACTIVE while any identity is active, SUSPENDED when all are inactive, LEFT when none is left. */
export type MemberStatus = "active" | "suspended" | "left";

/** An identity a member had in a SCIM configuration, kept after it is deleted so re-provisioning finds the member again. */
export interface FormerIdentity {
  scimConfigurationId: string;
  userNameKey: string;
}

export interface MemberRecord {
  /** The member's user id (UUIDv7). */
  id: string;
  organizationId: string;
  /** As the latest identity provided it (primary email, else first, else an email-shaped userName); "" when none. */
  email: string;
  /** email lowercased, for lookups ("" when none). */
  emailKey: string;
  fullName: string;
  /** memberNameKey(fullName): what name ordering sorts by. */
  nameKey: string;
  status: MemberStatus;
  /** The SCIM configuration whose identity created the member. */
  loginProvider: string;
  /** Member since. */
  createdAt: Date;
  updatedAt: Date;
  formerIdentities: FormerIdentity[];
}
