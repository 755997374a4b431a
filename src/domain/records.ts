/**
 * The stored shape of each aggregate. Adapters persist these, handlers map them to proto
 * messages; neither sees the other's types. Secrets appear only as SHA-256 hashes.
 */

export interface ScimConfigurationRecord {
  id: string;
  organizationId: string;
  name: string;
  enabled: boolean;
  ssoConfigurationId: string;
  allowUnverifiedEmailAccountLinking: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** SHA-256 (hex) of the current SCIM bearer token. */
  tokenHash: string;
  /** When the current token was issued. */
  tokenIssuedAt: Date;
  /**
   * The current token's lifetime, kept so that a regenerate without a lifetime reuses it. The
   * expiry is derived (issued + lifetime) rather than stored, which is what lets a regenerate
   * that keeps the lifetime be one write that never reads the record first.
   */
  tokenLifetimeSeconds: number;
}

export type SsoConfigurationState = "unspecified" | "inactive" | "active";
export type SsoProviderType = "unspecified" | "builtin" | "custom";

export interface SsoConfigurationRecord {
  id: string;
  organizationId: string;
  clientId: string;
  /**
   * This service never signs anyone in with the client secret, so it keeps only its SHA-256:
   * enough to tell whether a secret was set or changed, useless to an attacker with the database.
   */
  clientSecretHash: string;
  issuerUrl: string;
  state: SsoConfigurationState;
  providerType: SsoProviderType;
  claims: Record<string, string>;
  emailDomain: string;
  emailDomains: string[];
  displayName: string;
  additionalScopes: string[];
  claimsExpression: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ApiKeyRole = "admin" | "member";

export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  role: ApiKeyRole;
  name: string;
  /** SHA-256 (hex) of the key. */
  keyHash: string;
  createdAt: Date;
  revokedAt?: Date | undefined;
}

/** When a SCIM configuration's current token expires. */
export function tokenExpiresAt(record: Pick<ScimConfigurationRecord, "tokenIssuedAt" | "tokenLifetimeSeconds">): Date {
  return new Date(record.tokenIssuedAt.getTime() + record.tokenLifetimeSeconds * 1000);
}
