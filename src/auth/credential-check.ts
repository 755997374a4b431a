import type { ApiKeys } from "../domain/api-keys.js";
import type { CredentialUsage } from "../domain/credentials/credential-usage.js";
import { allowlistAdmits } from "../domain/credentials/ip-allowlist.js";
import type { ClientRejection, OAuthClients } from "../domain/credentials/oauth-clients.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import type { ScimConfigurationRecord } from "../domain/records.js";
import type { ScimTokenRejection, ScimTokenVerifier, VerifiedCredential } from "../domain/scim-token-verifier.js";
import { ACCESS_TOKEN, hashSecret } from "../domain/secret-token.js";
import { bareOrBearerToken, bearerToken } from "./authorization-header.js";
import type { AuthFailureLimiter } from "./failure-limiter.js";

/** Why a credential was refused, in words each entry point turns into its own error format. */
export type Refusal =
  /** Too many failed authentications from this client address; try again after the wait. */
  | { reason: "blocked"; retryAfterSeconds: number; detail: string }
  /** No credential in the request (or not in the form this entry point takes). */
  | { reason: "missing"; detail: string }
  /** A credential that does not authenticate: malformed, unknown, revoked or expired. */
  | { reason: "invalid"; detail: string; cause?: "malformed" | "unknown" | "expired" | "rotated_out" }
  /** A valid SCIM token of a disabled configuration (SCIM answers 403, not 401); the configuration is named for the audit trail. */
  | { reason: "disabled"; detail: string; configuration: { id: string; organizationId: string } }
  /** A valid credential presented from an address its configuration's IP allowlist does not admit (403). */
  | { reason: "address_not_allowed"; detail: string; configuration: { id: string; organizationId: string } };

export type CheckResult<P> = { ok: true; principal: P } | { ok: false; refusal: Refusal };

/** Who is calling /scim/v2: the SCIM configuration whose token (or OAuth access token) was presented. */
export interface ScimPrincipal {
  configuration: ScimConfigurationRecord;
}

/** Which bearer credential a /scim/v2 call presented (told by its prefix), for the metrics. */
export type BearerKind = "scim_token" | "oauth_access_token";

/** A /scim/v2 credential check's result, with the kind of bearer token it was about. */
export type ScimCheckResult = CheckResult<ScimPrincipal> & { bearer: BearerKind };

/** An OAuth client that authenticated at /oauth2/token: its configuration and the secret it used. */
export interface OAuthClientPrincipal {
  configuration: ScimConfigurationRecord;
  secretId: string;
}

/** What a caller sent as OAuth client credentials (HTTP Basic or the form body). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface CredentialCheckOptions {
  /** Verifies management API keys (cached for a short, stated time). */
  apiKeys: ApiKeys;
  /** Verifies SCIM bearer tokens (never cached). */
  scimTokens: ScimTokenVerifier;
  /** Counts failed authentications per client address (brute-force protection). */
  limiter: AuthFailureLimiter;
  /** Verifies OAuth client credentials at /oauth2/token. */
  oauthClients: OAuthClients;
  /** Records the last use of SCIM tokens and client secrets (coalesced in memory). */
  usage: CredentialUsage;
}

const SCIM_DETAIL: Record<ScimTokenRejection, string> = {
  missing: "Send the SCIM token as Authorization: Bearer <token>.",
  malformed: "The bearer token is neither a SCIM token nor an OAuth access token of this service.",
  unknown: "The token is not valid; it may have been regenerated or revoked, or its configuration deleted.",
  expired: "The token has expired: regenerate the SCIM token, or request a new access token at /oauth2/token.",
  rotated_out: "The SCIM token was replaced by a rotation and its overlap has ended; use the new token.",
  disabled: "SCIM provisioning is disabled for this configuration.",
};

const CLIENT_DETAIL: Record<ClientRejection, string> = {
  malformed: "client_id must be a SCIM configuration id and client_secret a client secret (scimcs_...)",
  unknown_client: "unknown client or wrong client secret",
  bad_secret: "unknown client or wrong client secret",
  expired: "the client secret has expired; create a new one",
};

/**
 * The one credential check every entry point calls (Connect interceptor, Unleash routes, SCIM
 * routes): read the credential from the Authorization header → may it be looked up from this
 * client (the failure limiter: blocked addresses still get known-good credentials and a small
 * budget checked) → verify it → record the success or count the failure. Each entry point only
 * turns a Refusal into its own error format.
 */
export class CredentialCheck {
  constructor(private readonly options: CredentialCheckOptions) {}

  /**
   * A management API key. `bareAllowed` also takes the key without the Bearer scheme (Unleash's
   * form); otherwise such a header is refused with a message that says Bearer is expected.
   */
  async managementKey(authorization: string | string[] | undefined, client: string, bareAllowed: boolean): Promise<CheckResult<Principal>> {
    if (Array.isArray(authorization)) return repeatedHeader(authorization.length);
    const key = bareAllowed ? bareOrBearerToken(authorization) : bearerToken(authorization);
    const hash = key === undefined ? undefined : hashSecret(key);
    const credential = hash === undefined ? undefined : `key:${hash}`;
    const blocked = this.blocked(client, credential);
    if (blocked) return blocked;
    if (key === undefined) {
      const detail =
        authorization && !bareAllowed
          ? 'the Authorization header must be "Bearer <API key>" (the Bearer scheme is missing)'
          : "missing API key: send Authorization: Bearer <API key>";
      return { ok: false, refusal: { reason: "missing", detail } };
    }
    try {
      const principal = await this.options.apiKeys.authenticate(key, hash);
      this.options.limiter.recordSuccess(credential!);
      return { ok: true, principal };
    } catch (err) {
      if (!(err instanceof UnauthenticatedError)) throw err;
      this.options.limiter.recordFailure(client, credential);
      return { ok: false, refusal: { reason: "invalid", detail: err.message } };
    }
  }

  /**
   * A bearer token as an identity provider presents it to /scim/v2: a SCIM token or an OAuth
   * access token. A valid one from an address outside its configuration's IP allowlist is
   * refused (before its enabled flag is told, which that caller has no business learning).
   */
  async scimToken(authorization: string | string[] | undefined, client: string, userAgent?: string): Promise<ScimCheckResult> {
    const token = Array.isArray(authorization) ? undefined : bearerToken(authorization);
    const bearer: BearerKind = token?.startsWith(ACCESS_TOKEN.prefix) ? "oauth_access_token" : "scim_token";
    return { ...(await this.checkScimBearer(authorization, token, client, userAgent)), bearer };
  }

  private async checkScimBearer(authorization: string | string[] | undefined, token: string | undefined, client: string, userAgent: string | undefined): Promise<CheckResult<ScimPrincipal>> {
    if (Array.isArray(authorization)) return repeatedHeader(authorization.length);
    const hash = token === undefined ? undefined : hashSecret(token);
    const credential = hash === undefined ? undefined : `scim:${hash}`;
    const blocked = this.blocked(client, credential);
    if (blocked) return blocked;
    const verdict = await this.options.scimTokens.verify(token, hash);
    if (verdict.ok || verdict.reason === "disabled") {
      const outside = this.outsideAllowlist(verdict.configuration, client);
      if (outside) return outside;
    }
    if (verdict.ok) {
      this.options.limiter.recordSuccess(credential!);
      this.noteUse(verdict.configuration.id, verdict.credential, client, userAgent);
      return { ok: true, principal: { configuration: verdict.configuration } };
    }
    // Only guesses count as failures: a real token that expired or whose configuration is
    // disabled is not one, and identity providers share addresses between tenants.
    if (verdict.reason === "malformed" || verdict.reason === "unknown") this.options.limiter.recordFailure(client, credential);
    if (verdict.reason === "disabled") return { ok: false, refusal: { reason: "disabled", detail: SCIM_DETAIL.disabled, configuration: verdict.configuration } };
    if (verdict.reason === "missing") return { ok: false, refusal: { reason: "missing", detail: SCIM_DETAIL.missing } };
    return { ok: false, refusal: { reason: "invalid", detail: SCIM_DETAIL[verdict.reason], cause: verdict.reason } };
  }

  /**
   * OAuth client credentials at /oauth2/token (RFC 6749 §2.3.1), with the same brute-force
   * limiting, allowlist and enabled rules as a SCIM token. A client secret's use is recorded.
   */
  async oauthClient(credentials: ClientCredentials | undefined, client: string, userAgent?: string): Promise<CheckResult<OAuthClientPrincipal>> {
    const hash = credentials === undefined ? undefined : hashSecret(credentials.clientSecret);
    const credential = hash === undefined ? undefined : `oauth:${hash}`;
    const blocked = this.blocked(client, credential);
    if (blocked) return blocked;
    if (credentials === undefined) return { ok: false, refusal: { reason: "missing", detail: "send the client credentials with HTTP Basic authentication or as client_id and client_secret" } };
    const verdict = await this.options.oauthClients.authenticate(credentials.clientId, credentials.clientSecret, hash);
    if (!verdict.ok) {
      // A secret that expired is not a guess; everything else may be.
      if (verdict.reason !== "expired") this.options.limiter.recordFailure(client, credential);
      return { ok: false, refusal: { reason: "invalid", detail: CLIENT_DETAIL[verdict.reason] } };
    }
    const outside = this.outsideAllowlist(verdict.configuration, client);
    if (outside) return outside;
    if (!verdict.configuration.enabled) {
      return { ok: false, refusal: { reason: "disabled", detail: SCIM_DETAIL.disabled, configuration: verdict.configuration } };
    }
    this.options.limiter.recordSuccess(credential!);
    this.noteUse(verdict.configuration.id, { kind: "secret", id: verdict.secretId }, client, userAgent);
    return { ok: true, principal: { configuration: verdict.configuration, secretId: verdict.secretId } };
  }

  private outsideAllowlist(configuration: ScimConfigurationRecord, client: string): { ok: false; refusal: Refusal } | undefined {
    if (allowlistAdmits(configuration.ipAllowlist, client)) return undefined;
    const n = configuration.ipAllowlist!.length;
    const detail = `Requests with this credential are accepted only from the ${n} network${n === 1 ? "" : "s"} of the IP allowlist of SCIM configuration ${configuration.id}; this request came from ${client}.`;
    return { ok: false, refusal: { reason: "address_not_allowed", detail, configuration } };
  }

  private noteUse(configurationId: string, credential: VerifiedCredential, client: string, userAgent: string | undefined): void {
    this.options.usage.note(configurationId, credential, client, userAgent);
  }

  /**
   * Refuses without a lookup when the client's address is blocked, unless the credential is known
   * good here or the address's lookup budget allows one (see AuthFailureLimiter).
   */
  private blocked(client: string, credential: string | undefined): { ok: false; refusal: Refusal } | undefined {
    const wait = this.options.limiter.admit(client, credential);
    if (wait === 0) return undefined;
    return { ok: false, refusal: { reason: "blocked", retryAfterSeconds: wait, detail: `too many failed authentications from this client; retry after ${wait} s` } };
  }
}

/** Several Authorization headers: which one counts would be a guess (a proxy may have read another). */
function repeatedHeader(count: number): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { reason: "invalid", detail: `the request has ${count} Authorization headers; send exactly one` } };
}
