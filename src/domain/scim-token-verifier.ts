import type { Clock } from "./clock.js";
import { matchToken } from "./credentials/scim-token-set.js";
import type { ScimConfigurationStore } from "./ports.js";
import type { ScimConfigurationRecord } from "./records.js";
import { ACCESS_TOKEN, accessTokenConfigurationId, hashSecret, isWellFormed, SCIM_TOKEN } from "./secret-token.js";

/** Why a presented bearer token was refused; "disabled" is the only one a SCIM endpoint answers 403. */
export type ScimTokenRejection = "missing" | "malformed" | "unknown" | "expired" | "rotated_out" | "disabled";

/** The credential a bearer token proved: a SCIM token (its id), or an OAuth access token (its client secret's id). */
export interface VerifiedCredential {
  kind: "token" | "secret";
  id: string;
}

export type ScimTokenVerification =
  | { ok: true; configuration: ScimConfigurationRecord; credential: VerifiedCredential }
  | { ok: false; reason: Exclude<ScimTokenRejection, "disabled"> }
  /** The configuration comes along, so the refusal can be recorded in its organization's audit trail. */
  | { ok: false; reason: "disabled"; configuration: ScimConfigurationRecord; credential: VerifiedCredential };

/**
 * Verifies the bearer tokens /scim/v2 takes: SCIM tokens (current or rotated out and within
 * their overlap) and OAuth access tokens. Shape and checksum first (no database work for
 * garbage; the prefix says which kind), then one indexed lookup (a SCIM token by its hash, an
 * access token's configuration by the id the token names), then expiry and enabled. No cache: a
 * regenerate, revoke, disable or delete is honoured by the very next request on every replica.
 */
export class ScimTokenVerifier {
  constructor(
    private readonly store: ScimConfigurationStore,
    private readonly clock: Clock,
  ) {}

  /** `hash`: the token's hashSecret, when the caller has computed it already (no second SHA-256 per call). */
  async verify(token: string | undefined, hash?: string): Promise<ScimTokenVerification> {
    if (token === undefined || token === "") return { ok: false, reason: "missing" };
    if (isWellFormed(SCIM_TOKEN, token)) return this.verifyScimToken(hash ?? hashSecret(token));
    const configurationId = accessTokenConfigurationId(token);
    // An access token: one that names its configuration, or one of the earlier form (at most 6 hours old), found by its hash.
    if (configurationId === undefined && !isWellFormed(ACCESS_TOKEN, token)) return { ok: false, reason: "malformed" };
    const h = hash ?? hashSecret(token);
    const configuration = configurationId !== undefined ? await this.store.findById(configurationId) : await this.store.findByAccessTokenHash(h);
    return this.verifyAccessToken(h, configuration);
  }

  private async verifyScimToken(hash: string): Promise<ScimTokenVerification> {
    const configuration = await this.store.findByTokenHash(hash);
    if (!configuration) return { ok: false, reason: "unknown" };
    const match = matchToken(configuration, hash, this.clock.now());
    if (match.kind === "none") return { ok: false, reason: "unknown" };
    if (match.kind !== "live") return { ok: false, reason: match.kind };
    return this.enabled(configuration, { kind: "token", id: match.tokenId });
  }

  private verifyAccessToken(hash: string, configuration: ScimConfigurationRecord | undefined): ScimTokenVerification {
    const entry = configuration?.accessTokens && findBy(configuration.accessTokens, "hash", hash);
    if (!configuration || !entry) return { ok: false, reason: "unknown" };
    const now = this.clock.now().getTime();
    if (entry.expiresAt.getTime() <= now) return { ok: false, reason: "expired" };
    // It dies with its secret: revoked (then the secret is gone) or expired.
    const secret = configuration.clientSecrets && findBy(configuration.clientSecrets, "id", entry.secretId);
    if (!secret || secret.expiresAt.getTime() <= now) return { ok: false, reason: "expired" };
    return this.enabled(configuration, { kind: "secret", id: secret.id });
  }

  private enabled(configuration: ScimConfigurationRecord, credential: VerifiedCredential): ScimTokenVerification {
    if (!configuration.enabled) return { ok: false, reason: "disabled", configuration, credential };
    return { ok: true, configuration, credential };
  }
}

/** The first entry whose `key` is `value`: a plain loop, no closure per call (every access-token request runs two). */
function findBy<T, K extends keyof T>(entries: readonly T[], key: K, value: T[K]): T | undefined {
  for (const entry of entries) if (entry[key] === value) return entry;
  return undefined;
}
