import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { CredentialUseWrite, CredentialWrite, ScimConfigurationPatch, ScimConfigurationStore, TokenRotation } from "../../domain/ports.js";
import type { CredentialUse, ScimConfigurationRecord } from "../../domain/records.js";
import { copy, later } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

const ssoLink = (organizationId: string, ssoConfigurationId: string): string => `${organizationId}/${ssoConfigurationId}`;

/** SCIM configurations in memory, with the same unique rules and lookups as the MongoDB indexes. */
export class MemoryScimConfigurationStore implements ScimConfigurationStore {
  private readonly byId = new Map<string, ScimConfigurationRecord>();
  // Secondary indexes, as the MongoDB ones are: token hashes (current and rotated-out), access
  // token hashes and SSO link to id, ids per organization.
  private readonly idByTokenHash = new Map<string, string>();
  private readonly idByAccessTokenHash = new Map<string, string>();
  private readonly idBySsoLink = new Map<string, string>();
  private readonly idsByOrganization = new OrderedKeysByTenant();

  async create(record: ScimConfigurationRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new KeyCollisionError("scim_configuration id");
    const link = ssoLink(record.organizationId, record.ssoConfigurationId);
    if (this.idBySsoLink.has(link)) throw new AlreadyExistsError(CONFLICT.scimSsoLink);
    if (this.idByTokenHash.has(record.tokenHash)) throw new KeyCollisionError("scim token hash");
    this.byId.set(record.id, copy(record));
    this.idBySsoLink.set(link, record.id);
    this.indexCredentials(record);
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
    this.unindexCredentials(r);
    r.tokenHash = rotation.tokenHash;
    r.tokenIssuedAt = rotation.issuedAt;
    r.tokenId = rotation.tokenId;
    r.tokenPrefix = rotation.tokenPrefix;
    if (rotation.lifetimeSeconds !== undefined) r.tokenLifetimeSeconds = rotation.lifetimeSeconds;
    delete r.tokenEndsAt;
    delete r.previousTokens;
    delete r.tokenUsage;
    r.credentialVersion = (r.credentialVersion ?? 0) + 1;
    r.updatedAt = later(r.updatedAt, now);
    this.indexCredentials(r);
    return copy(r);
  }

  async writeCredentials(organizationId: string, id: string, write: CredentialWrite): Promise<ScimConfigurationRecord | "conflict" | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (r.credentialVersion !== write.expectedVersion) return "conflict";
    const next: ScimConfigurationRecord = { ...r, ...copy(write.set) };
    if ("tokenEndsAt" in write.set && write.set.tokenEndsAt === undefined) delete next.tokenEndsAt;
    const before = new Set(this.tokenHashesOf(r));
    for (const hash of this.tokenHashesOf(next)) {
      if (!before.has(hash) && this.idByTokenHash.has(hash)) throw new KeyCollisionError("scim token hash");
    }
    this.unindexCredentials(r);
    next.tokenUsage = without(r.tokenUsage, write.dropTokenUsage);
    next.secretUsage = without(r.secretUsage, write.dropSecretUsage);
    if (next.tokenUsage === undefined) delete next.tokenUsage;
    if (next.secretUsage === undefined) delete next.secretUsage;
    next.credentialVersion = (r.credentialVersion ?? 0) + 1;
    if (write.updatedAt) next.updatedAt = later(r.updatedAt, write.updatedAt);
    this.byId.set(id, next);
    this.indexCredentials(next);
    return copy(next);
  }

  async recordUse(id: string, uses: readonly CredentialUseWrite[]): Promise<void> {
    const r = this.byId.get(id);
    if (!r) return;
    for (const u of uses) {
      const map = u.kind === "token" ? (r.tokenUsage ??= {}) : (r.secretUsage ??= {});
      map[u.id] = copy(u.use);
    }
  }

  async setIpAllowlist(organizationId: string, id: string, cidrs: readonly string[], now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    r.ipAllowlist = [...cidrs];
    r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const r = this.find(organizationId, id);
    if (!r) return false;
    this.unindexCredentials(r);
    this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
    this.idsByOrganization.delete(organizationId, id);
    return this.byId.delete(id);
  }

  async findByTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const id = this.idByTokenHash.get(tokenHash);
    const r = id === undefined ? undefined : this.byId.get(id);
    return r && copy(r);
  }

  async findByAccessTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const id = this.idByAccessTokenHash.get(tokenHash);
    const r = id === undefined ? undefined : this.byId.get(id);
    return r && copy(r);
  }

  async findById(id: string): Promise<ScimConfigurationRecord | undefined> {
    const r = this.byId.get(id);
    return r && copy(r);
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    return this.idBySsoLink.has(ssoLink(organizationId, ssoConfigurationId));
  }

  private tokenHashesOf(r: ScimConfigurationRecord): string[] {
    return [r.tokenHash, ...(r.previousTokens ?? []).map((t) => t.hash)];
  }

  private indexCredentials(r: ScimConfigurationRecord): void {
    for (const hash of this.tokenHashesOf(r)) this.idByTokenHash.set(hash, r.id);
    for (const t of r.accessTokens ?? []) this.idByAccessTokenHash.set(t.hash, r.id);
  }

  private unindexCredentials(r: ScimConfigurationRecord): void {
    for (const hash of this.tokenHashesOf(r)) this.idByTokenHash.delete(hash);
    for (const t of r.accessTokens ?? []) this.idByAccessTokenHash.delete(t.hash);
  }

  private find(organizationId: string, id: string): ScimConfigurationRecord | undefined {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId ? r : undefined;
  }
}

/** A usage map without the given ids; undefined when nothing is left. */
function without(usage: Record<string, CredentialUse> | undefined, ids: readonly string[] | undefined): Record<string, CredentialUse> | undefined {
  if (!usage) return undefined;
  const kept = Object.fromEntries(Object.entries(usage).filter(([id]) => !ids?.includes(id)));
  return Object.keys(kept).length > 0 ? kept : undefined;
}
