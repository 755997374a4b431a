import { AlreadyExistsError, CONFLICT, KeyCollisionError } from "../../domain/errors.js";
import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import type { CredentialUseWrite, CredentialWrite, ScimConfigurationPatch, ScimConfigurationStore, TokenRotation } from "../../domain/ports.js";
import type { CredentialUse, ScimConfigurationRecord } from "../../domain/records.js";
import { frozenCopy, later } from "./copy.js";
import { OrderedKeysByTenant } from "./ordered-keys.js";

const ssoLink = (organizationId: string, ssoConfigurationId: string): string => `${organizationId}/${ssoConfigurationId}`;

/**
 * SCIM configurations in memory, with the same unique rules and lookups as the MongoDB indexes.
 *
 * Stored records are deep-frozen and every write replaces its record with a new one, so reads
 * hand out the stored record itself: every SCIM call reads one (its credential's
 * configuration), and copying it was the largest part of what several tokens and an allowlist
 * cost a verification (bench/credential-rows.ts). A caller that tried to change a record it was
 * given gets a TypeError (modules are strict mode) instead of changing stored state.
 */
export class MemoryScimConfigurationStore implements ScimConfigurationStore {
  private readonly byId = new Map<string, Readonly<ScimConfigurationRecord>>();
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
    this.byId.set(record.id, frozenCopy(record));
    this.idBySsoLink.set(link, record.id);
    this.indexCredentials(record);
    this.idsByOrganization.insert(record.organizationId, record.id);
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    return this.find(organizationId, id);
  }

  async list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    const ids = this.idsByOrganization.after(organizationId, page.afterId, page.limit + 1);
    return toPage(ids.map((id) => this.byId.get(id)!), page.limit);
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    const next: ScimConfigurationRecord = { ...r };
    if (patch.ssoConfigurationId !== undefined && patch.ssoConfigurationId !== r.ssoConfigurationId) {
      const link = ssoLink(organizationId, patch.ssoConfigurationId);
      if (this.idBySsoLink.has(link)) throw new AlreadyExistsError(CONFLICT.scimSsoLink);
      this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
      this.idBySsoLink.set(link, id);
      next.ssoConfigurationId = patch.ssoConfigurationId;
    }
    for (const field of ["name", "enabled", "allowUnverifiedEmailAccountLinking"] as const) {
      const value = patch[field];
      if (value !== undefined && value !== r[field]) (next as unknown as Record<string, unknown>)[field] = value;
    }
    const changed = (Object.keys(next) as (keyof ScimConfigurationRecord)[]).some((k) => next[k] !== r[k]);
    if (!changed) return r;
    next.updatedAt = later(r.updatedAt, now);
    return this.replace(next);
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (this.idByTokenHash.has(rotation.tokenHash)) throw new KeyCollisionError("scim token hash");
    const next: ScimConfigurationRecord = {
      ...r,
      tokenHash: rotation.tokenHash,
      tokenIssuedAt: rotation.issuedAt,
      tokenId: rotation.tokenId,
      tokenPrefix: rotation.tokenPrefix,
      credentialVersion: (r.credentialVersion ?? 0) + 1,
      updatedAt: later(r.updatedAt, now),
    };
    if (rotation.lifetimeSeconds !== undefined) next.tokenLifetimeSeconds = rotation.lifetimeSeconds;
    delete next.tokenEndsAt;
    delete next.previousTokens;
    delete next.tokenUsage;
    return this.replace(next);
  }

  async writeCredentials(organizationId: string, id: string, write: CredentialWrite): Promise<ScimConfigurationRecord | "conflict" | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (r.credentialVersion !== write.expectedVersion) return "conflict";
    const next: ScimConfigurationRecord = { ...r, ...write.set };
    if ("tokenEndsAt" in write.set && write.set.tokenEndsAt === undefined) delete next.tokenEndsAt;
    const before = new Set(tokenHashesOf(r));
    for (const hash of tokenHashesOf(next)) {
      if (!before.has(hash) && this.idByTokenHash.has(hash)) throw new KeyCollisionError("scim token hash");
    }
    next.tokenUsage = without(r.tokenUsage, write.dropTokenUsage);
    next.secretUsage = without(r.secretUsage, write.dropSecretUsage);
    if (next.tokenUsage === undefined) delete next.tokenUsage;
    if (next.secretUsage === undefined) delete next.secretUsage;
    next.credentialVersion = (r.credentialVersion ?? 0) + 1;
    if (write.updatedAt) next.updatedAt = later(r.updatedAt, write.updatedAt);
    return this.replace(next);
  }

  async recordUse(id: string, uses: readonly CredentialUseWrite[]): Promise<void> {
    const r = this.byId.get(id);
    if (!r) return;
    const tokenUsage = { ...r.tokenUsage };
    const secretUsage = { ...r.secretUsage };
    for (const u of uses) (u.kind === "token" ? tokenUsage : secretUsage)[u.id] = u.use;
    this.replace({ ...r, ...(Object.keys(tokenUsage).length > 0 ? { tokenUsage } : {}), ...(Object.keys(secretUsage).length > 0 ? { secretUsage } : {}) });
  }

  async setIpAllowlist(organizationId: string, id: string, cidrs: readonly string[], now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    return this.replace({ ...r, ipAllowlist: [...cidrs], updatedAt: later(r.updatedAt, now) });
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
    return id === undefined ? undefined : this.byId.get(id);
  }

  async findByAccessTokenHash(tokenHash: string): Promise<ScimConfigurationRecord | undefined> {
    const id = this.idByAccessTokenHash.get(tokenHash);
    return id === undefined ? undefined : this.byId.get(id);
  }

  async findById(id: string): Promise<ScimConfigurationRecord | undefined> {
    return this.byId.get(id);
  }

  async isSsoConfigurationLinked(organizationId: string, ssoConfigurationId: string): Promise<boolean> {
    return this.idBySsoLink.has(ssoLink(organizationId, ssoConfigurationId));
  }

  /**
   * Stores a new version of a record: a frozen deep copy (nothing the caller passed in stays
   * shared with the store), its credential hashes indexed in place of the old version's.
   */
  private replace(next: ScimConfigurationRecord): ScimConfigurationRecord {
    const old = this.byId.get(next.id);
    if (old) this.unindexCredentials(old);
    const stored = frozenCopy(next);
    this.byId.set(next.id, stored);
    this.indexCredentials(stored);
    return stored;
  }

  private indexCredentials(r: ScimConfigurationRecord): void {
    for (const hash of tokenHashesOf(r)) this.idByTokenHash.set(hash, r.id);
    for (const t of r.accessTokens ?? []) this.idByAccessTokenHash.set(t.hash, r.id);
  }

  private unindexCredentials(r: ScimConfigurationRecord): void {
    for (const hash of tokenHashesOf(r)) this.idByTokenHash.delete(hash);
    for (const t of r.accessTokens ?? []) this.idByAccessTokenHash.delete(t.hash);
  }

  private find(organizationId: string, id: string): ScimConfigurationRecord | undefined {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId ? r : undefined;
  }
}

function tokenHashesOf(r: ScimConfigurationRecord): string[] {
  return [r.tokenHash, ...(r.previousTokens ?? []).map((t) => t.hash)];
}

/** A usage map without the given ids; undefined when nothing is left. */
function without(usage: Record<string, CredentialUse> | undefined, ids: readonly string[] | undefined): Record<string, CredentialUse> | undefined {
  if (!usage) return undefined;
  const kept = Object.fromEntries(Object.entries(usage).filter(([id]) => !ids?.includes(id)));
  return Object.keys(kept).length > 0 ? kept : undefined;
}
