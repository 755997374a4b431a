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
  /**
   * Id of the current token (names it in ListSCIMTokens, RevokeSCIMToken, the usage map).
   * Documents written before tokens had ids lack it: currentTokenId() derives one from the hash.
   */
  tokenId?: string | undefined;
  /** The current token's first characters, for recognition; absent before prefixes were kept. */
  tokenPrefix?: string | undefined;
  /**
   * Set only when RevokeSCIMToken made a rotated-out token current again: it stops at the end of
   * its overlap, not later (revoking one token never lengthens another's life).
   */
  tokenEndsAt?: Date | undefined;
  /** Tokens a rotation with an overlap replaced; each is accepted until its overlap ends. */
  previousTokens?: PreviousScimToken[] | undefined;
  /** Last use of each SCIM token, by token id (coalesced: at most one write a minute per token). */
  tokenUsage?: Record<string, CredentialUse> | undefined;
  /** CIDRs the configuration's credentials are accepted from; absent or empty: any address. */
  ipAllowlist?: string[] | undefined;
  /** Secrets of the configuration's OAuth client (client id = the configuration id). */
  clientSecrets?: ClientSecretRecord[] | undefined;
  /** Last use of each client secret (a token request, or a SCIM call with one of its access tokens). */
  secretUsage?: Record<string, CredentialUse> | undefined;
  /** Live OAuth access tokens, pruned whenever one is issued. */
  accessTokens?: AccessTokenRecord[] | undefined;
  /**
   * Bumped by every write of the credential fields above (except usage): the compare-and-set
   * writes that read them first (rotate, revoke, client secrets, access tokens) apply only when
   * it is unchanged, so two of them never overwrite each other's change. Absent before the first.
   */
  credentialVersion?: number | undefined;
}

/** A SCIM token that a rotation with an overlap replaced. */
export interface PreviousScimToken {
  id: string;
  /** SHA-256 (hex) of the token. */
  hash: string;
  prefix: string;
  issuedAt: Date;
  /** Its own expiry (issue time + lifetime). */
  expiresAt: Date;
  /** When the overlap ends; it is refused from then on (or from expiresAt, if earlier). */
  overlapEndsAt: Date;
}

/** The last successful authentication with a credential. */
export interface CredentialUse {
  at: Date;
  /** The client address (client-address.ts). */
  address: string;
  /** The User-Agent header, cut to USER_AGENT_MAX characters. */
  userAgent: string;
}

/** A client secret of a SCIM configuration's OAuth client. */
export interface ClientSecretRecord {
  id: string;
  /** SHA-256 (hex) of the secret. */
  hash: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
}

/** An OAuth access token issued at /oauth2/token; it dies with its client secret. */
export interface AccessTokenRecord {
  /** SHA-256 (hex) of the token. */
  hash: string;
  /** The client secret it was issued with. */
  secretId: string;
  expiresAt: Date;
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
export function tokenExpiresAt(record: Pick<ScimConfigurationRecord, "tokenIssuedAt" | "tokenLifetimeSeconds" | "tokenEndsAt">): Date {
  const expiry = record.tokenIssuedAt.getTime() + record.tokenLifetimeSeconds * 1000;
  return new Date(record.tokenEndsAt === undefined ? expiry : Math.min(expiry, record.tokenEndsAt.getTime()));
}
