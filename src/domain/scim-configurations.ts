import { AUDIT_ACTION, type AuditAction, type AuditContext } from "./audit/audit-entry.js";
import type { AuditTrail } from "./audit/audit-trail.js";
import { changedFields } from "./audit/changed-fields.js";
import type { Clock } from "./clock.js";
import type { OAuthClients } from "./credentials/oauth-clients.js";
import { FailedPreconditionError, NotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import type { Page, PageRequest } from "./pagination.js";
import type { ScimConfigurationPatch, ScimConfigurationStore, SsoConfigurationStore } from "./ports.js";
import { tokenExpiresAt, type ScimConfigurationRecord } from "./records.js";
import { generateToken, hashSecret, recognitionPrefix, SCIM_TOKEN } from "./secret-token.js";

export interface NewScimConfiguration {
  organizationId: string;
  name: string;
  ssoConfigurationId: string;
  tokenLifetimeSeconds: number;
  allowUnverifiedEmailAccountLinking: boolean;
}

/** A freshly issued token: the only moment its plaintext exists outside the caller's hands. */
export interface IssuedToken {
  token: string;
  tokenExpiresAt: Date;
}

const notFound = (id: string): NotFoundError => new NotFoundError(`scim_configuration ${id} not found`);

/** The fields an update may change, by the names the API gives them (for the audit trail). */
const AUDITED_FIELDS = {
  name: "name",
  enabled: "enabled",
  ssoConfigurationId: "sso_configuration_id",
  allowUnverifiedEmailAccountLinking: "allow_unverified_email_account_linking",
} as const;

/**
 * The SCIM configuration use cases, shared by the RPC handlers and the Unleash-style routes so
 * both follow one code path. Inputs are validated by the caller; this enforces the cross-record
 * rules (same-organization SSO link, one SCIM configuration per SSO configuration; the store
 * raises AlreadyExistsError for the latter). Every change is recorded in the audit trail after it
 * succeeded, on behalf of the given AuditContext (audit-trail.ts says why in that order).
 */
export class ScimConfigurations {
  constructor(
    private readonly scim: ScimConfigurationStore,
    private readonly sso: SsoConfigurationStore,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
    /** Its access tokens die with a disable (re-enabling must not revive them). */
    private readonly oauth?: OAuthClients,
  ) {}

  async create(input: NewScimConfiguration, context: AuditContext): Promise<{ configuration: ScimConfigurationRecord } & IssuedToken> {
    await this.requireSsoConfiguration(input.organizationId, input.ssoConfigurationId);
    const now = this.clock.now();
    const token = generateToken(SCIM_TOKEN);
    const record: ScimConfigurationRecord = {
      id: newId(now),
      organizationId: input.organizationId,
      name: input.name,
      enabled: true,
      ssoConfigurationId: input.ssoConfigurationId,
      allowUnverifiedEmailAccountLinking: input.allowUnverifiedEmailAccountLinking,
      createdAt: now,
      updatedAt: now,
      tokenHash: hashSecret(token),
      tokenIssuedAt: now,
      tokenLifetimeSeconds: input.tokenLifetimeSeconds,
      tokenId: newId(now),
      tokenPrefix: recognitionPrefix(SCIM_TOKEN, token),
    };
    await this.scim.create(record);
    // The SSO configuration may have been deleted between the check and the insert (no
    // transactions here): look again and undo, so no SCIM configuration links a deleted one.
    if (!(await this.sso.get(input.organizationId, input.ssoConfigurationId))) {
      await this.scim.delete(input.organizationId, record.id);
      throw new FailedPreconditionError(`sso_configuration_id ${input.ssoConfigurationId} was deleted while the SCIM configuration was created`);
    }
    await this.record(context, AUDIT_ACTION.scimCreate, record);
    return { configuration: record, token, tokenExpiresAt: tokenExpiresAt(record) };
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord> {
    const record = await this.scim.get(organizationId, id);
    if (!record) throw notFound(id);
    return record;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    return this.scim.list(organizationId, page);
  }

  /**
   * Applies the patch. The record is read first only to tell the audit trail which fields
   * changed (an update that changes nothing records nothing); a concurrent update between the
   * read and the write can make that list name a field the other update changed.
   */
  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, context: AuditContext): Promise<ScimConfigurationRecord> {
    if (patch.ssoConfigurationId !== undefined) await this.requireSsoConfiguration(organizationId, patch.ssoConfigurationId);
    const before = await this.scim.get(organizationId, id);
    if (!before) throw notFound(id);
    const record = await this.scim.update(organizationId, id, patch, this.clock.now());
    if (!record) throw notFound(id);
    // Refused while disabled anyway (the verifier checks enabled); dropped so that enabling again revives none.
    if (before.enabled && !record.enabled && (record.accessTokens?.length ?? 0) > 0) await this.oauth?.dropAccessTokens(organizationId, id);
    const changed = changedFields(before, record, AUDITED_FIELDS);
    if (changed.length > 0) await this.record(context, AUDIT_ACTION.scimUpdate, record, changed);
    return record;
  }

  async delete(organizationId: string, id: string, context: AuditContext): Promise<void> {
    if (!(await this.scim.delete(organizationId, id))) throw notFound(id);
    await this.record(context, AUDIT_ACTION.scimDelete, { id, organizationId });
  }

  /**
   * Issues a new token and replaces the stored hash in one atomic write (no read first); the
   * previous token, and any a rotation with an overlap kept live, stop authenticating when this
   * returns. Without a lifetime the previous token's lifetime is kept.
   */
  async regenerateToken(organizationId: string, id: string, lifetimeSeconds: number | undefined, context: AuditContext): Promise<IssuedToken & { configuration: ScimConfigurationRecord }> {
    const now = this.clock.now();
    const token = generateToken(SCIM_TOKEN);
    const rotation = { tokenHash: hashSecret(token), issuedAt: now, lifetimeSeconds, tokenId: newId(now), tokenPrefix: recognitionPrefix(SCIM_TOKEN, token) };
    const record = await this.scim.rotateToken(organizationId, id, rotation, now);
    if (!record) throw notFound(id);
    // Names only: "token" says the token changed, never what it is.
    await this.record(context, AUDIT_ACTION.scimRegenerateToken, record, ["token", "token_expires_at"]);
    return { token, tokenExpiresAt: tokenExpiresAt(record), configuration: record };
  }

  private record(context: AuditContext, action: AuditAction, record: { id: string; organizationId: string }, changed: string[] = []): Promise<void> {
    return this.audit.record(context, {
      organizationId: record.organizationId,
      action,
      subjectType: "scim_configuration",
      subjectId: record.id,
      changedFields: changed,
    });
  }

  private async requireSsoConfiguration(organizationId: string, ssoConfigurationId: string): Promise<void> {
    if (!(await this.sso.get(organizationId, ssoConfigurationId))) {
      throw new NotFoundError(`sso_configuration_id ${ssoConfigurationId} does not name an SSO configuration of this organization`);
    }
  }
}
