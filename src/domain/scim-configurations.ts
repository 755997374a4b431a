import { DuplicateError } from "../store/errors.js";
import type { ScimConfigurationRecord } from "../store/records.js";
import type { ScimConfigurationPatch, ScimConfigurationStore, SsoConfigurationStore } from "../store/stores.js";
import type { Clock } from "./clock.js";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import type { Page, PageRequest } from "./pagination.js";
import { generateToken, hashSecret, SCIM_TOKEN } from "./secret-token.js";
import { verifyScimToken, type ScimTokenVerification } from "./scim-token-verifier.js";

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
 * rules (same-organization SSO link, one SCIM configuration per SSO configuration).
 */
export class ScimConfigurations {
  constructor(
    private readonly scim: ScimConfigurationStore,
    private readonly sso: SsoConfigurationStore,
    private readonly clock: Clock,
  ) {}

  async create(input: NewScimConfiguration): Promise<{ configuration: ScimConfigurationRecord } & IssuedToken> {
    await this.requireSsoConfiguration(input.organizationId, input.ssoConfigurationId, "sso_configuration_id");
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
      tokenExpiresAt: new Date(now.getTime() + input.tokenLifetimeSeconds * 1000),
      tokenLifetimeSeconds: input.tokenLifetimeSeconds,
    };
    await this.insert(record);
    // The SSO configuration may have been deleted between the check and the insert (no
    // transactions here): look again and undo, so no SCIM configuration links a deleted one.
    if (!(await this.sso.get(input.organizationId, input.ssoConfigurationId))) {
      await this.scim.delete(input.organizationId, record.id);
      throw new FailedPreconditionError(`sso_configuration_id ${input.ssoConfigurationId} was deleted while the SCIM configuration was created`);
    }
    return { configuration: record, token, tokenExpiresAt: record.tokenExpiresAt };
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
    if (patch.ssoConfigurationId !== undefined) {
      await this.requireSsoConfiguration(organizationId, patch.ssoConfigurationId, "sso_configuration_id");
    }
    const record = await this.translateDuplicate(() => this.scim.update(organizationId, id, patch, this.clock.now()));
    if (!record) throw notFound(id);
    return record;
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!(await this.scim.delete(organizationId, id))) throw notFound(id);
  }

  /**
   * Issues a new token and replaces the stored hash in one atomic write; the previous token stops
   * authenticating when this returns. Without a lifetime the previous token's lifetime is reused.
   */
  async regenerateToken(organizationId: string, id: string, lifetimeSeconds?: number): Promise<IssuedToken & { configuration: ScimConfigurationRecord }> {
    const current = await this.get(organizationId, id);
    const seconds = lifetimeSeconds ?? current.tokenLifetimeSeconds;
    const now = this.clock.now();
    const token = generateToken(SCIM_TOKEN);
    const rotation = { tokenHash: hashSecret(token), tokenExpiresAt: new Date(now.getTime() + seconds * 1000), tokenLifetimeSeconds: seconds };
    const record = await this.scim.rotateToken(organizationId, id, rotation, now);
    if (!record) throw notFound(id);
    return { token, tokenExpiresAt: rotation.tokenExpiresAt, configuration: record };
  }

  /** Verifies a presented SCIM bearer token; see verifyScimToken. */
  verifyToken(token: string | undefined): Promise<ScimTokenVerification> {
    return verifyScimToken(this.scim, this.clock, token);
  }

  private async requireSsoConfiguration(organizationId: string, ssoConfigurationId: string, field: string): Promise<void> {
    if (!(await this.sso.get(organizationId, ssoConfigurationId))) {
      throw new NotFoundError(`${field} ${ssoConfigurationId} does not name an SSO configuration of this organization`);
    }
  }

  private async insert(record: ScimConfigurationRecord): Promise<void> {
    await this.translateDuplicate(() => this.scim.create(record));
  }

  private async translateDuplicate<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof DuplicateError && err.constraint === "sso_configuration_id") {
        throw new AlreadyExistsError("sso_configuration_id already has a SCIM configuration; an SSO configuration can have only one");
      }
      throw err;
    }
  }
}
