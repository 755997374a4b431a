import { AUDIT_ACTION, type AuditAction, type AuditContext } from "../audit/audit-entry.js";
import type { AuditTrail } from "../audit/audit-trail.js";
import type { Clock } from "../clock.js";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import { newId } from "../ids.js";
import type { ScimConfigurationStore } from "../ports.js";
import { tokenExpiresAt, type PreviousScimToken, type ScimConfigurationRecord } from "../records.js";
import { generateToken, hashSecret, recognitionPrefix, SCIM_TOKEN } from "../secret-token.js";
import { changeCredentials } from "./credential-writes.js";
import { currentTokenId, isCurrentTokenLive, livePreviousTokens, liveTokens, MAX_LIVE_TOKENS, staleUsage, type ScimTokenView } from "./scim-token-set.js";

/** Longest overlap a rotation may give the tokens it replaces. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

export interface ScimCredentialsOptions {
  /** Where configurations and their credentials live. */
  store: ScimConfigurationStore;
  clock: Clock;
  /** Every change is recorded here after it succeeded. */
  audit: AuditTrail;
}

export interface Rotation {
  /** How long the live tokens keep working, 0 to MAX_OVERLAP_SECONDS; 0 is RegenerateSCIMToken. */
  overlapSeconds: number;
  /** The new token's lifetime; undefined keeps the current one's. */
  lifetimeSeconds: number | undefined;
}

export interface RotatedToken {
  token: string;
  view: ScimTokenView;
  /** When the tokens kept live stop (undefined without an overlap). */
  overlapEndsAt: Date | undefined;
}

const notFound = (id: string) => () => new NotFoundError(`scim_configuration ${id} not found`);

/**
 * Several live SCIM tokens per configuration, and its IP allowlist (SCIMCredentialService). A
 * rotation without an overlap is upstream's Regenerate (one write that reads nothing); the
 * changes that depend on the stored tokens are compare-and-set writes (credential-writes.ts).
 */
export class ScimCredentials {
  constructor(private readonly options: ScimCredentialsOptions) {}

  async rotateToken(organizationId: string, id: string, rotation: Rotation, context: AuditContext): Promise<RotatedToken> {
    const { store, clock } = this.options;
    const token = generateToken(SCIM_TOKEN);
    const hash = hashSecret(token);
    const prefix = recognitionPrefix(SCIM_TOKEN, token);
    let record: ScimConfigurationRecord;
    let overlapEndsAt: Date | undefined;
    if (rotation.overlapSeconds === 0) {
      const now = clock.now();
      const rotated = await store.rotateToken(organizationId, id, { tokenHash: hash, issuedAt: now, lifetimeSeconds: rotation.lifetimeSeconds, tokenId: newId(now), tokenPrefix: prefix }, now);
      if (!rotated) throw notFound(id)();
      record = rotated;
    } else {
      ({ record, overlapEndsAt } = await changeCredentials({
        store,
        clock,
        load: () => store.get(organizationId, id),
        notFound: notFound(id),
        plan: (r, now) => {
          const kept = livePreviousTokens(r, now);
          if (isCurrentTokenLive(r, now)) kept.push(asPrevious(r, new Date(now.getTime() + rotation.overlapSeconds * 1000)));
          if (kept.length + 1 > MAX_LIVE_TOKENS) {
            throw new FailedPreconditionError(
              `scim_configuration ${id} has ${kept.length} live tokens, and a rotation with an overlap would make ${kept.length + 1}; at most ${MAX_LIVE_TOKENS} may be live: revoke one (RevokeSCIMToken), wait for an overlap to end, or rotate without an overlap`,
            );
          }
          const tokenId = newId(now);
          const live = new Set([tokenId, ...kept.map((t) => t.id)]);
          return {
            write: {
              set: {
                tokenHash: hash,
                tokenIssuedAt: now,
                tokenLifetimeSeconds: rotation.lifetimeSeconds ?? r.tokenLifetimeSeconds,
                tokenId,
                tokenPrefix: prefix,
                tokenEndsAt: undefined,
                previousTokens: kept,
              },
              dropTokenUsage: staleUsage(r.tokenUsage, live),
              updatedAt: now,
            },
            result: (after) => ({ record: after, overlapEndsAt: new Date(now.getTime() + rotation.overlapSeconds * 1000) }),
          };
        },
      }));
    }
    await this.record(context, AUDIT_ACTION.scimRotateToken, record, ["token", "token_expires_at"], currentTokenId(record));
    const view = liveTokens(record, clock.now()).find((t) => t.current)!;
    return { token, view, overlapEndsAt };
  }

  async listTokens(organizationId: string, id: string): Promise<ScimTokenView[]> {
    const record = await this.options.store.get(organizationId, id);
    if (!record) throw notFound(id)();
    return liveTokens(record, this.options.clock.now());
  }

  /**
   * Ends one live token. The current one can go only while another is live: the newest of those
   * becomes current, keeping its own end (revoking a token never lengthens another's life).
   */
  async revokeToken(organizationId: string, id: string, tokenId: string, context: AuditContext): Promise<void> {
    const { store, clock } = this.options;
    const { record, changed } = await changeCredentials({
      store,
      clock,
      load: () => store.get(organizationId, id),
      notFound: notFound(id),
      plan: (r, now) => {
        const previous = livePreviousTokens(r, now);
        const isCurrent = isCurrentTokenLive(r, now) && currentTokenId(r) === tokenId;
        if (!isCurrent && !previous.some((t) => t.id === tokenId)) {
          throw new NotFoundError(`token_id ${tokenId} is not a live token of scim_configuration ${id}`);
        }
        if (!isCurrent) {
          const kept = previous.filter((t) => t.id !== tokenId);
          return {
            write: { set: { previousTokens: kept }, dropTokenUsage: staleUsage(r.tokenUsage, new Set([currentTokenId(r), ...kept.map((t) => t.id)])), updatedAt: now },
            result: (after) => ({ record: after, changed: ["token"] }),
          };
        }
        const [promoted, ...kept] = previous;
        if (!promoted) {
          throw new FailedPreconditionError(`token_id ${tokenId} is the only live token of scim_configuration ${id}; RegenerateSCIMToken or RotateSCIMToken replaces it`);
        }
        return {
          write: {
            set: {
              tokenHash: promoted.hash,
              tokenIssuedAt: promoted.issuedAt,
              tokenLifetimeSeconds: Math.round((promoted.expiresAt.getTime() - promoted.issuedAt.getTime()) / 1000),
              tokenId: promoted.id,
              tokenPrefix: promoted.prefix,
              tokenEndsAt: promoted.overlapEndsAt.getTime() < promoted.expiresAt.getTime() ? promoted.overlapEndsAt : undefined,
              previousTokens: kept,
            },
            dropTokenUsage: staleUsage(r.tokenUsage, new Set([promoted.id, ...kept.map((t) => t.id)])),
            updatedAt: now,
          },
          result: (after) => ({ record: after, changed: ["token", "token_expires_at"] }),
        };
      },
    });
    await this.record(context, AUDIT_ACTION.scimRevokeToken, record, changed, tokenId);
  }

  async getIpAllowlist(organizationId: string, id: string): Promise<string[]> {
    const record = await this.options.store.get(organizationId, id);
    if (!record) throw notFound(id)();
    return record.ipAllowlist ?? [];
  }

  /** Replaces the allowlist (already checked and normalised by parseAllowlist); a change is recorded. */
  async setIpAllowlist(organizationId: string, id: string, cidrs: readonly string[], context: AuditContext): Promise<string[]> {
    const { store, clock } = this.options;
    const before = await store.get(organizationId, id);
    if (!before) throw notFound(id)();
    if ((before.ipAllowlist ?? []).join(",") === cidrs.join(",")) return [...cidrs];
    const record = await store.setIpAllowlist(organizationId, id, cidrs, clock.now());
    if (!record) throw notFound(id)();
    await this.record(context, AUDIT_ACTION.scimSetIpAllowlist, record, ["ip_allowlist"]);
    return record.ipAllowlist ?? [];
  }

  private record(context: AuditContext, action: AuditAction, record: ScimConfigurationRecord, changed: string[], credentialId = ""): Promise<void> {
    return this.options.audit.record(context, {
      organizationId: record.organizationId,
      action,
      subjectType: "scim_configuration",
      subjectId: record.id,
      changedFields: changed,
      scimConfigurationId: record.id,
      scimResourceId: credentialId,
    });
  }
}

/** The current token as a rotated-out one that works until `overlapEndsAt`. */
function asPrevious(record: ScimConfigurationRecord, overlapEndsAt: Date): PreviousScimToken {
  return {
    id: currentTokenId(record),
    hash: record.tokenHash,
    prefix: record.tokenPrefix ?? "",
    issuedAt: record.tokenIssuedAt,
    expiresAt: tokenExpiresAt(record),
    overlapEndsAt,
  };
}
