import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { ScimConfigurationPatch, ScimConfigurationStore, TokenRotation } from "../../domain/ports.js";
import type { ScimConfigurationRecord } from "../../domain/records.js";
import { copy, later } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

const ssoLink = (organizationId: string, ssoConfigurationId: string): string => `${organizationId}/${ssoConfigurationId}`;

/** SCIM configurations in memory, with the same unique rules and lookups as the MongoDB indexes. */
export class MemoryScimConfigurationStore implements ScimConfigurationStore {
  private readonly byId = new Map<string, ScimConfigurationRecord>();
  // Secondary indexes, as the MongoDB ones are: token hash and SSO link to id, ids per organization.
  private readonly idByTokenHash = new Map<string, string>();
  private readonly idBySsoLink = new Map<string, string>();
  private readonly idsByOrganization = new OrderedKeysByTenant();

  async create(record: ScimConfigurationRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new KeyCollisionError("scim_configuration id");
    const link = ssoLink(record.organizationId, record.ssoConfigurationId);
    if (this.idBySsoLink.has(link)) throw new AlreadyExistsError(CONFLICT.scimSsoLink);
    if (this.idByTokenHash.has(record.tokenHash)) throw new KeyCollisionError("scim token hash");
    this.byId.set(record.id, copy(record));
    this.idBySsoLink.set(link, record.id);
    this.idByTokenHash.set(record.tokenHash, record.id);
    this.idsByOrganization.insert(record.organizationId, record.id);
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    return r && copy(r);
  }

  async list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    const ids = this.idsByOrganization.after(organizationId, page.afterId, page.limit + 1);
    return toPage(ids.map((id) => copy(this.byId.get(id)!)), page.limit);
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    let changed = false;
    if (patch.ssoConfigurationId !== undefined && patch.ssoConfigurationId !== r.ssoConfigurationId) {
      const link = ssoLink(organizationId, patch.ssoConfigurationId);
      if (this.idBySsoLink.has(link)) throw new AlreadyExistsError(CONFLICT.scimSsoLink);
      this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
      this.idBySsoLink.set(link, id);
      r.ssoConfigurationId = patch.ssoConfigurationId;
      changed = true;
    }
    for (const field of ["name", "enabled", "allowUnverifiedEmailAccountLinking"] as const) {
      const value = patch[field];
      if (value !== undefined && value !== r[field]) {
        (r as unknown as Record<string, unknown>)[field] = value;
        changed = true;
      }
    }
    if (changed) r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (this.idByTokenHash.has(rotation.tokenHash)) throw new KeyCollisionError("scim token hash");
    this.idByTokenHash.delete(r.tokenHash);
    this.idByTokenHash.set(rotation.tokenHash, id);
    r.tokenHash = rotation.tokenHash;
    r.tokenIssuedAt = rotation.issuedAt;
    if (rotation.lifetimeSeconds !== undefined) r.tokenLifetimeSeconds = rotation.lifetimeSeconds;
    r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const r = this.find(organizationId, id);
    if (!r) return false;
    this.idByTokenHash.delete(r.tokenHash);
    this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
    this.idsByOrganization.delete(organizationId, id);
    return this.byId.delete(id);
  }

  async findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const id = this.idByTokenHash.get(tokenHash);
    const r = id === undefined ? undefined : this.byId.get(id);
    return r && copy(r);
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    return this.idBySsoLink.has(ssoLink(organizationId, ssoConfigurationId));
  }

  private find(organizationId: string, id: string): ScimConfigurationRecord | undefined {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId ? r : undefined;
  }
}
