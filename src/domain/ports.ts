/**
 * The store ports: what the use cases need from a database, one interface per aggregate. The
 * domain owns them; the memory and MongoDB adapters implement them and translate their own
 * failures into domain errors (AlreadyExistsError with a CONFLICT message, StoreUnavailableError,
 * KeyCollisionError), so nothing above this line knows which database answers.
 */
import type { AuditStore } from "./audit/ports.js";
import type { Page, PageRequest } from "./pagination.js";
import type { MembershipStore, MemberStore, ScimGroupStore, ScimUserStore } from "./provisioning/ports.js";
import type { ApiKeyRecord, CredentialUse, ScimConfigurationRecord, SsoConfigurationRecord } from "./records.js";

/** What may change on a SCIM configuration outside a token rotation. */
export interface ScimConfigurationPatch {
  name?: string | undefined;
  enabled?: boolean | undefined;
  ssoConfigurationId?: string | undefined;
  allowUnverifiedEmailAccountLinking?: boolean | undefined;
}

/** A new token replacing the current one. */
export interface TokenRotation {
  tokenHash: string;
  issuedAt: Date;
  /** The new token's lifetime; undefined keeps the stored one (read in the same atomic write). */
  lifetimeSeconds?: number | undefined;
  /** The new token's id and recognition prefix. */
  tokenId: string;
  tokenPrefix: string;
}

/** The credential fields a compare-and-set write may replace. */
export type CredentialFields = Pick<
  ScimConfigurationRecord,
  "tokenHash" | "tokenIssuedAt" | "tokenLifetimeSeconds" | "tokenId" | "tokenPrefix" | "tokenEndsAt" | "previousTokens" | "clientSecrets" | "accessTokens"
>;

/**
 * A write of credential fields computed from a read of the record: it applies only while the
 * record's credentialVersion is still the one read (and bumps it), so concurrent writers never
 * undo each other's change; a loser reads again and recomputes.
 */
export interface CredentialWrite {
  /** credentialVersion as read (undefined: the record was never written this way). */
  expectedVersion: number | undefined;
  /** Fields to replace; absent ones stay. `tokenEndsAt: undefined` given explicitly clears it. */
  set: Partial<CredentialFields>;
  /** Usage entries of tokens and client secrets that are gone. */
  dropTokenUsage?: readonly string[];
  dropSecretUsage?: readonly string[];
  /** Moves updatedAt (never backwards): an administrator's change; absent for issuing access tokens. */
  updatedAt?: Date | undefined;
}

/** A recorded use of one credential of a configuration. */
export interface CredentialUseWrite {
  kind: "token" | "secret";
  /** The token's or client secret's id. */
  id: string;
  use: CredentialUse;
}

/**
 * SCIM configurations. Every read and write is scoped by organization, so a caller can never
 * reach another organization's record by id. Writes take `now` and never move `updatedAt`
 * backwards, even when concurrent writers' clocks disagree.
 */
export interface ScimConfigurationStore {
  /** @throws AlreadyExistsError(CONFLICT.scimSsoLink) when the SSO configuration is linked already. */
  create(record: ScimConfigurationRecord): Promise<void>;
  get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined>;
  /** Ordered by id (time-ordered UUIDv7), starting after `page.afterId`. */
  list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>>;
  /**
   * Applies the patch; `updatedAt` moves only when a field actually changes.
   * @throws AlreadyExistsError(CONFLICT.scimSsoLink) when relinking to a linked SSO configuration.
   */
  update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined>;
  /**
   * Replaces the token in one atomic write that reads nothing first: every other token (the
   * rotated-out ones too) stops working when it returns, and their usage is forgotten.
   */
  rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined>;
  delete(organizationId: string, id: string): Promise<boolean>;
  /** The configuration whose current or rotated-out SCIM token has this hash: one indexed lookup. */
  findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined>;
  /** The configuration holding a live access token with this hash: one indexed lookup. */
  findByAccessTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined>;
  /** By id alone (an OAuth client id is its configuration's id; the organization follows from the record). */
  findById(id: string): Promise<ScimConfigurationRecord | undefined>;
  /**
   * A compare-and-set write of credential fields (CredentialWrite). Returns the record after it,
   * "conflict" when another credential write came first, undefined when there is no such record.
   */
  writeCredentials(organizationId: string, id: string, write: CredentialWrite): Promise<ScimConfigurationRecord | "conflict" | undefined>;
  /** Records uses of credentials (one write for all given); nothing when the record is gone. */
  recordUse(id: string, uses: readonly CredentialUseWrite[]): Promise<void>;
  /** Replaces the IP allowlist and moves updatedAt (callers write only a change). */
  setIpAllowlist(organizationId: string, id: string, cidrs: readonly string[], now: Date): Promise<ScimConfigurationRecord | undefined>;
  isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean>;
}

export type SsoConfigurationPatch = Partial<
  Pick<
    SsoConfigurationRecord,
    | "clientId"
    | "clientSecretHash"
    | "issuerUrl"
    | "state"
    | "claims"
    | "emailDomain"
    | "emailDomains"
    | "displayName"
    | "additionalScopes"
    | "claimsExpression"
  >
>;

export interface SsoConfigurationStore {
  create(record: SsoConfigurationRecord): Promise<void>;
  /** Records being deleted are not returned. */
  get(organizationId: string, id: string): Promise<SsoConfigurationRecord | undefined>;
  list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>>;
  /** Applies the patch; `updatedAt` moves only when a field actually changes. */
  update(organizationId: string, id: string, patch: SsoConfigurationPatch, now: Date): Promise<SsoConfigurationRecord | undefined>;
  /**
   * First step of a delete: hides the record from `get` so that no new SCIM configuration can
   * link it while the caller checks for existing links. Returns false when there is no record.
   */
  beginDelete(organizationId: string, id: string, now: Date): Promise<boolean>;
  /** Undoes beginDelete when the delete is refused. */
  cancelDelete(organizationId: string, id: string): Promise<void>;
  delete(organizationId: string, id: string): Promise<boolean>;
}

export interface ApiKeyStore {
  create(record: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** All keys, or one organization's, oldest first. */
  list(organizationId?: string): Promise<ApiKeyRecord[]>;
  /**
   * Marks a key revoked in one write (a key revoked before keeps its first revocation time);
   * returns it, or undefined when there is no such key.
   */
  revoke(id: string, now: Date): Promise<ApiKeyRecord | undefined>;
  count(): Promise<number>;
}

/** The stores of one database, and its lifecycle. */
export interface Stores {
  readonly kind: "memory" | "mongodb";
  readonly scimConfigurations: ScimConfigurationStore;
  readonly ssoConfigurations: SsoConfigurationStore;
  readonly apiKeys: ApiKeyStore;
  /** What identity providers provision through /scim/v2, and the organization members it makes. */
  readonly scimUsers: ScimUserStore;
  readonly scimGroups: ScimGroupStore;
  readonly memberships: MembershipStore;
  readonly members: MemberStore;
  /** The audit trail. */
  readonly audit: AuditStore;
  /**
   * Whether the database expires audit entries by itself (a MongoDB TTL index); FerretDB and the
   * memory store do not, and the app sweeps expired entries periodically either way.
   */
  readonly auditTtl: boolean;
  /** Whether the database answers now (for readiness and health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
