import { KeyCollisionError } from "../../domain/errors.js";
import type { ApiKeyStore } from "../../domain/ports.js";
import type { ApiKeyRecord } from "../../domain/records.js";
import { copy } from "./copy.js";

/** Management API keys in memory, found by hash as the unique MongoDB index finds them. */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly byId = new Map<string, ApiKeyRecord>();
  private readonly idByHash = new Map<string, string>();

  async create(record: ApiKeyRecord): Promise<void> {
    if (this.byId.has(record.id)) throw new KeyCollisionError("api key id");
    if (this.idByHash.has(record.keyHash)) throw new KeyCollisionError("api key hash");
    this.byId.set(record.id, copy(record));
    this.idByHash.set(record.keyHash, record.id);
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const id = this.idByHash.get(keyHash);
    const r = id === undefined ? undefined : this.byId.get(id);
    return r && copy(r);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const r = this.byId.get(id);
    return r && copy(r);
  }

  async list(organizationId?: string): Promise<ApiKeyRecord[]> {
    // Ids are UUIDv7, so id order is creation order.
    return [...this.byId.values()]
      .filter((r) => organizationId === undefined || r.organizationId === organizationId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
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
