import { toPage, type Page, type PageRequest } from "../../domain/pagination.js";
import { DuplicateError } from "../errors.js";
import type { ApiKeyRecord, ScimConfigurationRecord, SsoConfigurationRecord } from "../records.js";
import type {
  ApiKeyStore,
  ScimConfigurationPatch,
  ScimConfigurationStore,
  SsoConfigurationPatch,
  SsoConfigurationStore,
  Stores,
  TokenRotation,
} from "../stores.js";

/**
 * In-memory adapters: the embedded default of `npm start` and a second implementation that the
 * store contract suite holds to the same behaviour as MongoDB. Records are copied in and out so
 * that callers can never mutate stored state by accident.
 */
export function createMemoryStores(): Stores {
  return {
    kind: "memory",
    scimConfigurations: new MemoryScimConfigurationStore(),
    ssoConfigurations: new MemorySsoConfigurationStore(),
    apiKeys: new MemoryApiKeyStore(),
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

const copy = <T>(value: T): T => structuredClone(value);

function pageOf<T extends { id: string }>(all: Iterable<T>, organizationId: string, page: PageRequest, keep: (r: T) => boolean = () => true): Page<T> {
  const rows = [...all]
    .filter((r) => (r as { organizationId?: string }).organizationId === organizationId && keep(r))
    .filter((r) => page.afterId === undefined || r.id > page.afterId)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, page.limit + 1)
    .map(copy);
  return toPage(rows, page.limit);
}

const later = (a: Date, b: Date): Date => (b.getTime() > a.getTime() ? b : a);

class MemoryScimConfigurationStore implements ScimConfigurationStore {
  private readonly byId = new Map<string, ScimConfigurationRecord>();
  // Secondary indexes, as the unique MongoDB indexes are: token hash and SSO link to id.
  private readonly idByTokenHash = new Map<string, string>();
  private readonly idBySsoLink = new Map<string, string>();

  async create(record: ScimConfigurationRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new DuplicateError("id");
    const link = ssoLink(record.organizationId, record.ssoConfigurationId);
    if (this.idBySsoLink.has(link)) throw new DuplicateError("sso_configuration_id");
    if (this.idByTokenHash.has(record.tokenHash)) throw new DuplicateError("token_hash");
    this.byId.set(record.id, copy(record));
    this.idBySsoLink.set(link, record.id);
    this.idByTokenHash.set(record.tokenHash, record.id);
  }

  async get(organizationId: string, id: string): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    return r && copy(r);
  }

  async list(organizationId: string, page: PageRequest): Promise<Page<ScimConfigurationRecord>> {
    return pageOf(this.byId.values(), organizationId, page);
  }

  async update(organizationId: string, id: string, patch: ScimConfigurationPatch, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (patch.ssoConfigurationId !== undefined && patch.ssoConfigurationId !== r.ssoConfigurationId) {
      const link = ssoLink(organizationId, patch.ssoConfigurationId);
      if (this.idBySsoLink.has(link)) throw new DuplicateError("sso_configuration_id");
      this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
      this.idBySsoLink.set(link, id);
      r.ssoConfigurationId = patch.ssoConfigurationId;
    }
    if (patch.name !== undefined) r.name = patch.name;
    if (patch.enabled !== undefined) r.enabled = patch.enabled;
    if (patch.allowUnverifiedEmailAccountLinking !== undefined) r.allowUnverifiedEmailAccountLinking = patch.allowUnverifiedEmailAccountLinking;
    r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async rotateToken(organizationId: string, id: string, rotation: TokenRotation, now: Date): Promise<ScimConfigurationRecord | undefined> {
    const r = this.find(organizationId, id);
    if (!r) return undefined;
    if (this.idByTokenHash.has(rotation.tokenHash)) throw new DuplicateError("token_hash");
    this.idByTokenHash.delete(r.tokenHash);
    this.idByTokenHash.set(rotation.tokenHash, id);
    Object.assign(r, rotation);
    r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const r = this.find(organizationId, id);
    if (!r) return false;
    this.idByTokenHash.delete(r.tokenHash);
    this.idBySsoLink.delete(ssoLink(organizationId, r.ssoConfigurationId));
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

const ssoLink = (organizationId: string, ssoConfigurationId: string): string => `${organizationId}/${ssoConfigurationId}`;

class MemorySsoConfigurationStore implements SsoConfigurationStore {
  private readonly byId = new Map<string, SsoConfigurationRecord>();
  private readonly deleting = new Set<string>();

  async create(record: SsoConfigurationRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new DuplicateError("id");
    this.byId.set(record.id, copy(record));
  }

  async get(organizationId: string, id: string): Promise<SsoConfigurationRecord | undefined> {
    const r = this.byId.get(id);
    return r && r.organizationId === organizationId && !this.deleting.has(id) ? copy(r) : undefined;
  }

  async list(organizationId: string, page: PageRequest): Promise<Page<SsoConfigurationRecord>> {
    return pageOf(this.byId.values(), organizationId, page, (r) => !this.deleting.has(r.id));
  }

  async update(organizationId: string, id: string, patch: SsoConfigurationPatch, now: Date): Promise<SsoConfigurationRecord | undefined> {
    const r = this.byId.get(id);
    if (!r || r.organizationId !== organizationId || this.deleting.has(id)) return undefined;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (r as unknown as Record<string, unknown>)[k] = copy(v);
    r.updatedAt = later(r.updatedAt, now);
    return copy(r);
  }

  async beginDelete(organizationId: string, id: string): Promise<boolean> {
    const r = this.byId.get(id);
    if (!r || r.organizationId !== organizationId || this.deleting.has(id)) return false;
    this.deleting.add(id);
    return true;
  }

  async cancelDelete(_organizationId: string, id: string): Promise<void> {
    this.deleting.delete(id);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const r = this.byId.get(id);
    if (!r || r.organizationId !== organizationId) return false;
    this.deleting.delete(id);
    return this.byId.delete(id);
  }
}

class MemoryApiKeyStore implements ApiKeyStore {
  private readonly byId = new Map<string, ApiKeyRecord>();

  async create(record: ApiKeyRecord): Promise<void> {
    for (const r of this.byId.values()) if (r.keyHash === record.keyHash) throw new DuplicateError("key_hash");
    this.byId.set(record.id, copy(record));
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    for (const r of this.byId.values()) if (r.keyHash === keyHash) return copy(r);
    return undefined;
  }

  async list(organizationId?: string): Promise<ApiKeyRecord[]> {
    return [...this.byId.values()]
      .filter((r) => organizationId === undefined || r.organizationId === organizationId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async revoke(id: string, now: Date): Promise<ApiKeyRecord | undefined> {
    const r = this.byId.get(id);
    if (!r) return undefined;
    r.revokedAt ??= now;
    return copy(r);
  }

  async count(): Promise<number> {
    return this.byId.size;
  }
}
