import type { Clock } from "./clock.js";
import { FailedPreconditionError, NotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import type { Page, PageRequest } from "./pagination.js";
import type { ScimConfigurationPatch, ScimConfigurationStore, SsoConfigurationStore } from "./ports.js";
import { tokenExpiresAt, type ScimConfigurationRecord } from "./records.js";
import { generateToken, hashSecret, SCIM_TOKEN } from "./secret-token.js";

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

/**
 * The SCIM configuration use cases, shared by the RPC handlers and the Unleash-style routes so
 * both follow one code path. Inputs are validated by the caller; this enforces the cross-record
 * rules (same-organization SSO link, one SCIM configuration per SSO configuration; the store
 * raises AlreadyExistsError for the latter).
 */
export class ScimConfigurations {
  constructor(
    private readonly scim: ScimConfigurationStore,
    private readonly sso: SsoConfigurationStore,
    private readonly clock: Clock,
  ) {}

  async create(input: NewScimConfiguration): Promise<{ configuration: ScimConfigurationRecord } & IssuedToken> {
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
    };
    await this.scim.create(record);
    // The SSO configuration may have been deleted between the check and the insert (no
    // transactions here): look again and undo, so no SCIM configuration links a deleted one.
    if (!(await this.sso.get(input.organizationId, input.ssoConfigurationId))) {
      await this.scim.delete(input.organizationId, record.id);
      throw new FailedPreconditionError(`sso_configuration_id ${input.ssoConfigurationId} was deleted while the SCIM configuration was created`);
    }
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

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch): Promise<ScimConfigurationRecord> {
    if (patch.ssoConfigurationId !== undefined) await this.requireSsoConfiguration(organizationId, patch.ssoConfigurationId);
    const record = await this.scim.update(organizationId, id, patch, this.clock.now());
    if (!record) throw notFound(id);
    return record;
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!(await this.scim.delete(organizationId, id))) throw notFound(id);
  }

  /**
   * Issues a new token and replaces the stored hash in one atomic write (no read first); the
   * previous token stops authenticating when this returns. Without a lifetime the previous
   * token's lifetime is kept.
   */
  async regenerateToken(organizationId: string, id: string, lifetimeSeconds?: number): Promise<IssuedToken & { configuration: ScimConfigurationRecord }> {
    const now = this.clock.now();
    const token = generateToken(SCIM_TOKEN);
    const record = await this.scim.rotateToken(organizationId, id, { tokenHash: hashSecret(token), issuedAt: now, lifetimeSeconds }, now);
    if (!record) throw notFound(id);
    return { token, tokenExpiresAt: tokenExpiresAt(record), configuration: record };
  }

  private async requireSsoConfiguration(organizationId: string, ssoConfigurationId: string): Promise<void> {
    if (!(await this.sso.get(organizationId, ssoConfigurationId))) {
      throw new NotFoundError(`sso_configuration_id ${ssoConfigurationId} does not name an SSO configuration of this organization`);
    }
  }
}
