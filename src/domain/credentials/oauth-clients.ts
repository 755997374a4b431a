import { timingSafeEqual } from "node:crypto";
import { AUDIT_ACTION, type AuditContext } from "../audit/audit-entry.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import type { Clock } from "../clock.js";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import { isUuid, newId } from "../ids.js";
import type { ScimConfigurationStore } from "../ports.js";
import type { ClientSecretRecord, CredentialUse, ScimConfigurationRecord } from "../records.js";
import { CLIENT_SECRET, generateAccessToken, generateToken, hashSecret, isWellFormed, recognitionPrefix } from "../secret-token.js";
import { changeCredentials } from "./credential-writes.js";

/** Where POST /oauth2/token lives, relative to the service's base URL. */
export const TOKEN_ENDPOINT_PATH = "/oauth2/token";

/** At most this many live client secrets per configuration. */
export const MAX_LIVE_CLIENT_SECRETS = 5;
/**
 * Live access tokens kept per configuration. An identity provider asks for one when its last
 * one expires, so this is far above need; beyond it the oldest goes, so a client that asks in a
 * loop can make the document grow by no more than this.
 */
export const MAX_LIVE_ACCESS_TOKENS = 20;
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const MIN_ACCESS_TOKEN_LIFETIME_SECONDS = 300;
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 6 * 3600;

export interface OAuthClientsOptions {
  store: ScimConfigurationStore;
  clock: Clock;
  audit: AuditTrail;
  /** Lifetime of an issued access token (never beyond its client secret's expiry). */
  accessTokenLifetimeSeconds: number;
}

/** A client secret as ListSCIMClientSecrets shows it. */
export interface ClientSecretView {
  id: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  lastUse: CredentialUse | undefined;
}

/** Why client authentication at /oauth2/token failed (each is RFC 6749's invalid_client). */
export type ClientRejection = "malformed" | "unknown_client" | "bad_secret" | "expired";

export type ClientAuthentication = { ok: true; configuration: ScimConfigurationRecord; secretId: string } | { ok: false; reason: ClientRejection };

export interface IssuedAccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

const notFound = (id: string) => () => new NotFoundError(`scim_configuration ${id} not found`);
const live = (secrets: ClientSecretRecord[] | undefined, now: Date) => (secrets ?? []).filter((s) => s.expiresAt.getTime() > now.getTime());

/**
 * OAuth 2.0 client credentials for SCIM (RFC 6749 §4.4): each configuration is an OAuth client
 * whose client id is the configuration's id, with up to 5 live secrets (stored as SHA-256, like
 * tokens: 238 random bits need no slow hash). POST /oauth2/token exchanges one for an access
 * token that /scim/v2 accepts like a SCIM token; its hash is kept on the configuration, so it
 * dies with its secret (revoked or expired), its configuration, or a disable.
 */
export class OAuthClients {
  constructor(private readonly options: OAuthClientsOptions) {}

  async createSecret(organizationId: string, id: string, lifetimeSeconds: number, context: AuditContext): Promise<{ clientId: string; secret: string; view: ClientSecretView }> {
    const secret = generateToken(CLIENT_SECRET);
    const { store, clock } = this.options;
    const entry = await changeCredentials({
      store,
      clock,
      load: () => store.get(organizationId, id),
      notFound: notFound(id),
      plan: (r, now) => {
        const kept = live(r.clientSecrets, now);
        if (kept.length >= MAX_LIVE_CLIENT_SECRETS) {
          throw new FailedPreconditionError(`scim_configuration ${id} has ${kept.length} live client secrets, the most it may have; revoke one (RevokeSCIMClientSecret) first`);
        }
        const created: ClientSecretRecord = { id: newId(now), hash: hashSecret(secret), prefix: recognitionPrefix(CLIENT_SECRET, secret), createdAt: now, expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000) };
        const secrets = [...kept, created];
        return {
          write: { set: { clientSecrets: secrets, accessTokens: liveAccessTokens(r, secrets, now) }, dropSecretUsage: staleSecretUsage(r, secrets), updatedAt: now },
          result: () => created,
        };
      },
    });
    await this.record(context, AUDIT_ACTION.scimCreateClientSecret, { id, organizationId }, entry.id);
    return { clientId: id, secret, view: { ...viewOf(entry), lastUse: undefined } };
  }

  async listSecrets(organizationId: string, id: string): Promise<ClientSecretView[]> {
    const record = await this.options.store.get(organizationId, id);
    if (!record) throw notFound(id)();
    const usage = record.secretUsage ?? {};
    return live(record.clientSecrets, this.options.clock.now())
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((s) => ({ ...viewOf(s), lastUse: usage[s.id] }));
  }

  /** Ends a secret and every access token issued with it. */
  async revokeSecret(organizationId: string, id: string, secretId: string, context: AuditContext): Promise<void> {
    const { store, clock } = this.options;
    await changeCredentials({
      store,
      clock,
      load: () => store.get(organizationId, id),
      notFound: notFound(id),
      plan: (r, now) => {
        const kept = live(r.clientSecrets, now);
        if (!kept.some((s) => s.id === secretId)) throw new NotFoundError(`secret_id ${secretId} is not a live client secret of scim_configuration ${id}`);
        const secrets = kept.filter((s) => s.id !== secretId);
        return {
          write: { set: { clientSecrets: secrets, accessTokens: liveAccessTokens(r, secrets, now) }, dropSecretUsage: staleSecretUsage(r, secrets), updatedAt: now },
          result: () => undefined,
        };
      },
    });
    await this.record(context, AUDIT_ACTION.scimRevokeClientSecret, { id, organizationId }, secretId);
  }

  /**
   * Client authentication at /oauth2/token: the client id names the configuration, the secret one
   * of its live secrets. `secretHash`: the secret's hashSecret, when the caller computed it already.
   */
  async authenticate(clientId: string, secret: string, secretHash?: string): Promise<ClientAuthentication> {
    if (!isUuid(clientId) || !isWellFormed(CLIENT_SECRET, secret)) return { ok: false, reason: "malformed" };
    const configuration = await this.options.store.findById(clientId.toLowerCase());
    if (!configuration) return { ok: false, reason: "unknown_client" };
    const hash = Buffer.from(secretHash ?? hashSecret(secret));
    const entry = (configuration.clientSecrets ?? []).find((s) => timingSafeEqual(Buffer.from(s.hash), hash));
    if (!entry) return { ok: false, reason: "bad_secret" };
    if (entry.expiresAt.getTime() <= this.options.clock.now().getTime()) return { ok: false, reason: "expired" };
    return { ok: true, configuration, secretId: entry.id };
  }

  /**
   * Issues an access token for an authenticated client: one compare-and-set write that also
   * drops expired tokens and, past MAX_LIVE_ACCESS_TOKENS, the oldest. It lives for the set
   * lifetime, or until its secret expires if that is sooner.
   */
  async issueAccessToken(configurationId: string, secretId: string): Promise<IssuedAccessToken> {
    const { store, clock } = this.options;
    const accessToken = generateAccessToken(configurationId);
    return changeCredentials({
      store,
      clock,
      load: () => store.findById(configurationId),
      notFound: notFound(configurationId),
      plan: (r, now) => {
        const secret = live(r.clientSecrets, now).find((s) => s.id === secretId);
        // Revoked between authentication and this write: as if it had been a moment earlier.
        if (!secret) throw new NotFoundError(`client secret ${secretId} was revoked`);
        const expiresAt = new Date(Math.min(now.getTime() + this.options.accessTokenLifetimeSeconds * 1000, secret.expiresAt.getTime()));
        const tokens = [...liveAccessTokens(r, live(r.clientSecrets, now), now), { hash: hashSecret(accessToken), secretId, expiresAt }].slice(-MAX_LIVE_ACCESS_TOKENS);
        return {
          write: { set: { accessTokens: tokens } },
          result: () => ({ accessToken, expiresInSeconds: Math.floor((expiresAt.getTime() - now.getTime()) / 1000) }),
        };
      },
    });
  }

  /** Ends every access token of a configuration (on disable: re-enabling must not revive them). */
  async dropAccessTokens(organizationId: string, id: string): Promise<void> {
    const { store, clock } = this.options;
    await changeCredentials({
      store,
      clock,
      load: () => store.get(organizationId, id),
      notFound: notFound(id),
      plan: () => ({ write: { set: { accessTokens: [] } }, result: () => undefined }),
    });
  }

  private record(context: AuditContext, action: typeof AUDIT_ACTION.scimCreateClientSecret | typeof AUDIT_ACTION.scimRevokeClientSecret, target: { id: string; organizationId: string }, secretId: string): Promise<void> {
    return this.options.audit.record(context, {
      organizationId: target.organizationId,
      action,
      subjectType: "scim_configuration",
      subjectId: target.id,
      changedFields: ["client_secrets"],
      scimConfigurationId: target.id,
      scimResourceId: secretId,
    });
  }
}

function viewOf(s: ClientSecretRecord): Omit<ClientSecretView, "lastUse"> {
  return { id: s.id, prefix: s.prefix, createdAt: s.createdAt, expiresAt: s.expiresAt };
}

/** The access tokens that still work: unexpired, of a secret among `secrets`. */
function liveAccessTokens(r: ScimConfigurationRecord, secrets: ClientSecretRecord[], now: Date) {
  const ids = new Set(secrets.map((s) => s.id));
  return (r.accessTokens ?? []).filter((t) => t.expiresAt.getTime() > now.getTime() && ids.has(t.secretId));
}

function staleSecretUsage(r: ScimConfigurationRecord, secrets: ClientSecretRecord[]): string[] {
  const ids = new Set(secrets.map((s) => s.id));
  return Object.keys(r.secretUsage ?? {}).filter((id) => !ids.has(id));
}
