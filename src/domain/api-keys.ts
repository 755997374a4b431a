import { LRUCache } from "lru-cache";
import { AUDIT_ACTION, type AuditContext } from "./audit/audit-entry.js";
import type { AuditTrail } from "./audit/audit-trail.js";
import type { Clock } from "./clock.js";
import { UnauthenticatedError } from "./errors.js";
import { newId } from "./ids.js";
import type { ApiKeyStore } from "./ports.js";
import type { ApiKeyRecord, ApiKeyRole } from "./records.js";
import type { Principal } from "./principal.js";
import { API_KEY, generateToken, hashSecret, isWellFormed, SCIM_TOKEN } from "./secret-token.js";

/** Keys chosen by an operator (INIT_ADMIN_API_KEY) must be at least this long. */
export const MIN_OPERATOR_KEY_LENGTH = 32;

/** Keys remembered by the authentication cache at most; beyond that the oldest are dropped. */
export const API_KEY_CACHE_MAX_ENTRIES = 10_000;

export interface ApiKeysOptions {
  /**
   * How long a found key is served from memory instead of the database (0: always ask the
   * database). This is the bound within which a key revoked by another process (the admin CLI,
   * another replica) stops working here; a revoke through this instance takes effect at once.
   */
  cacheTtlMs?: number;
  /** Monotonic milliseconds for the cache; tests inject one. */
  now?: () => number;
}

/**
 * Management API keys: issued once in plaintext, stored as SHA-256, bound to one organization and
 * role. Creating and revoking one is recorded in the audit trail (by the key's id, never the key).
 */
export class ApiKeys {
  // Every RPC authenticates; without this, each call pays one more database round trip than the
  // work it asked for. lru-cache gives the TTL, the bound, and one shared lookup for concurrent
  // misses of a key (a burst of calls with a new key costs one round trip, not hundreds). A key
  // that does not exist is never kept (fetch resolving undefined stores nothing), so guesses
  // cannot fill it, and a failed lookup is not kept either, so an outage is not remembered.
  private readonly cache: LRUCache<string, ApiKeyRecord> | undefined;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
    options: ApiKeysOptions = {},
  ) {
    const ttl = options.cacheTtlMs ?? 0;
    this.cache =
      ttl > 0
        ? new LRUCache<string, ApiKeyRecord>({
            max: API_KEY_CACHE_MAX_ENTRIES,
            ttl,
            // Exact expiry against the injected clock (the default resolution caches "now").
            ttlResolution: 0,
            ...(options.now ? { perf: { now: options.now } } : {}),
            fetchMethod: (hash) => this.store.findByHash(hash),
          })
        : undefined;
  }

  /** Creates a key; the returned plaintext is never stored and cannot be shown again. */
  async issue(organizationId: string, role: ApiKeyRole, name: string, context: AuditContext): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateToken(API_KEY);
    const record = await this.insert(organizationId, role, name, key, context);
    return { key, record };
  }

  /**
   * Makes sure an operator-supplied key exists as an admin key of the organization (idempotent:
   * a restart with the same environment changes nothing). Returns whether it was created.
   */
  async ensure(organizationId: string, key: string, name: string, context: AuditContext): Promise<boolean> {
    const existing = await this.store.findByHash(hashSecret(key));
    if (existing) {
      if (existing.organizationId !== organizationId || existing.role !== "admin" || existing.revokedAt) {
        throw new Error("INIT_ADMIN_API_KEY is already stored for another organization, another role, or as revoked");
      }
      return false;
    }
    await this.insert(organizationId, "admin", name, key, context);
    return true;
  }

  /**
   * Resolves an Authorization value to a principal, or throws UnauthenticatedError. `hash`: the
   * key's hashSecret, when the caller has computed it already (no second SHA-256 per call).
   */
  async authenticate(key: string, hash = hashSecret(key)): Promise<Principal> {
    // A SCIM token is never a management key, whatever is stored: refuse it by its shape.
    if (key.startsWith(SCIM_TOKEN.prefix)) throw new UnauthenticatedError("a SCIM token is not a management API key");
    // Generated keys carry a checksum: a typo is refused without a database round trip.
    if (key.startsWith(API_KEY.prefix) && !isWellFormed(API_KEY, key)) throw new UnauthenticatedError("the API key is malformed");
    if (key.length < 16 || key.length > 512) throw new UnauthenticatedError("the API key is not valid");
    // A cached key is read synchronously; fetch (one database read shared by concurrent misses)
    // only on a miss: it costs a promise and its bookkeeping even for a hit.
    const record = this.cache ? (this.cache.get(hash) ?? (await this.cache.fetch(hash))) : await this.store.findByHash(hash);
    if (!record) throw new UnauthenticatedError("the API key is not valid");
    if (record.revokedAt) throw new UnauthenticatedError("the API key has been revoked");
    return { organizationId: record.organizationId, role: record.role, apiKeyId: record.id };
  }

  list(organizationId?: string): Promise<ApiKeyRecord[]> {
    return this.store.list(organizationId);
  }

  async revoke(id: string, context: AuditContext): Promise<ApiKeyRecord | undefined> {
    // Read first only to tell whether this call revokes the key (a revoked key keeps its first
    // revocation, and a second revoke is no change for the audit trail).
    const before = await this.store.get(id);
    const record = await this.store.revoke(id, this.clock.now());
    if (this.cache) for (const [hash, cached] of this.cache.entries()) if (cached.id === id) this.cache.delete(hash);
    if (record && before && !before.revokedAt) {
      await this.audit.record(context, { organizationId: record.organizationId, action: AUDIT_ACTION.apiKeyRevoke, subjectType: "api_key", subjectId: record.id, changedFields: ["revoked_at"] });
    }
    return record;
  }

  private async insert(organizationId: string, role: ApiKeyRole, name: string, key: string, context: AuditContext): Promise<ApiKeyRecord> {
    const now = this.clock.now();
    const record: ApiKeyRecord = { id: newId(now), organizationId, role, name, keyHash: hashSecret(key), createdAt: now };
    await this.store.create(record);
    await this.audit.record(context, { organizationId, action: AUDIT_ACTION.apiKeyCreate, subjectType: "api_key", subjectId: record.id });
    return record;
  }
}
