import type { SsoConfigurationRecord } from "./records.js";
import type { ScimConfigurationStore, SsoConfigurationPatch, SsoConfigurationStore } from "./ports.js";
import type { Clock } from "./clock.js";
import { FailedPreconditionError, NotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import type { Page, PageRequest } from "./pagination.js";

export type NewSsoConfiguration = Omit<SsoConfigurationRecord, "id" | "createdAt" | "updatedAt">;

const notFound = (id: string): NotFoundError => new NotFoundError(`sso_configuration ${id} not found`);

/** The SSO configuration use cases: the link targets of SCIM configurations. */
export class SsoConfigurations {
  constructor(
    private readonly sso: SsoConfigurationStore,
    private readonly scim: ScimConfigurationStore,
    private readonly clock: Clock,
  ) {}

  async create(input: NewSsoConfiguration): Promise<SsoConfigurationRecord> {
    const now = this.clock.now();
    const record: SsoConfigurationRecord = { ...input, id: newId(now), createdAt: now, updatedAt: now };
    await this.sso.create(record);
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

  async update(organizationId: string, id: string, patch: SsoConfigurationPatch): Promise<SsoConfigurationRecord> {
    const record = await this.sso.update(organizationId, id, patch, this.clock.now());
    if (!record) throw notFound(id);
    return record;
  }

  /**
   * Refuses to delete an SSO configuration that a SCIM configuration links. The record is hidden
   * first, then links are checked, so a concurrent SCIM create either is seen here or sees the
   * SSO configuration gone (and undoes itself).
   */
  async delete(organizationId: string, id: string): Promise<void> {
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
    await this.sso.delete(organizationId, id);
  }
}
