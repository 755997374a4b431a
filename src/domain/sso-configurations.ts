import { AUDIT_ACTION, type AuditAction, type AuditContext } from "./audit/audit-entry.js";
import type { AuditTrail } from "./audit/audit-trail.js";
import { changedFields } from "./audit/changed-fields.js";
import type { SsoConfigurationRecord } from "./records.js";
import type { ScimConfigurationStore, SsoConfigurationPatch, SsoConfigurationStore } from "./ports.js";
import type { Clock } from "./clock.js";
import { FailedPreconditionError, NotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import type { Page, PageRequest } from "./pagination.js";

export type NewSsoConfiguration = Omit<SsoConfigurationRecord, "id" | "createdAt" | "updatedAt">;

const notFound = (id: string): NotFoundError => new NotFoundError(`sso_configuration ${id} not found`);

/** The fields an update may change, by the names the API gives them; the secret by name only. */
const AUDITED_FIELDS = {
  clientId: "client_id",
  clientSecretHash: "client_secret",
  issuerUrl: "issuer_url",
  state: "state",
  claims: "claims",
  emailDomain: "email_domain",
  emailDomains: "email_domains",
  displayName: "display_name",
  additionalScopes: "additional_scopes",
  claimsExpression: "claims_expression",
} as const;

/**
 * The SSO configuration use cases: the link targets of SCIM configurations. Every change is
 * recorded in the audit trail after it succeeded.
 */
export class SsoConfigurations {
  constructor(
    private readonly sso: SsoConfigurationStore,
    private readonly scim: ScimConfigurationStore,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  async create(input: NewSsoConfiguration, context: AuditContext): Promise<SsoConfigurationRecord> {
    const now = this.clock.now();
    const record: SsoConfigurationRecord = { ...input, id: newId(now), createdAt: now, updatedAt: now };
    await this.sso.create(record);
    await this.record(context, AUDIT_ACTION.ssoCreate, record);
    return record;
  }

  async get(organizationId: string, id: string): Promise<SsoConfigurationRecord> {
    const record = await this.sso.get(organizationId, id);
    if (!record) throw notFound(id);
    return record;
  }

  list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>> {
    return this.sso.list(organizationId, page);
  }

  /** Applies the patch; read first only to tell the audit trail which fields changed (as ScimConfigurations.update). */
  async update(organizationId: string, id: string, patch: SsoConfigurationPatch, context: AuditContext): Promise<SsoConfigurationRecord> {
    const before = await this.sso.get(organizationId, id);
    if (!before) throw notFound(id);
    const record = await this.sso.update(organizationId, id, patch, this.clock.now());
    if (!record) throw notFound(id);
    const changed = changedFields(before, record, AUDITED_FIELDS);
    if (changed.length > 0) await this.record(context, AUDIT_ACTION.ssoUpdate, record, changed);
    return record;
  }

  /**
   * Refuses to delete an SSO configuration that a SCIM configuration links. The record is hidden
   * first, then links are checked, so a concurrent SCIM create either is seen here or sees the
   * SSO configuration gone (and undoes itself).
   */
  async delete(organizationId: string, id: string, context: AuditContext): Promise<void> {
    if (!(await this.sso.beginDelete(organizationId, id, this.clock.now()))) throw notFound(id);
    let linked: boolean;
    try {
      linked = await this.scim.isSsoConfigurationLinked(organizationId, id);
    } catch (err) {
      await this.sso.cancelDelete(organizationId, id);
      throw err;
    }
    if (linked) {
      await this.sso.cancelDelete(organizationId, id);
      throw new FailedPreconditionError(
        `sso_configuration ${id} is linked by a SCIM configuration; delete that SCIM configuration or link it elsewhere first`,
      );
    }
    // False: a concurrent delete got there first and recorded it.
    if (await this.sso.delete(organizationId, id)) await this.record(context, AUDIT_ACTION.ssoDelete, { id, organizationId });
  }

  private record(context: AuditContext, action: AuditAction, record: { id: string; organizationId: string }, changed: string[] = []): Promise<void> {
    return this.audit.record(context, { organizationId: record.organizationId, action, subjectType: "sso_configuration", subjectId: record.id, changedFields: changed });
  }
}
