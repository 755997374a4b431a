import { createHash } from "node:crypto";
import { tokenExpiresAt, type CredentialUse, type PreviousScimToken, type ScimConfigurationRecord } from "../records.js";

/**
 * The live SCIM tokens of a configuration, read from its record: the current token (tokenHash,
 * tokenIssuedAt, tokenLifetimeSeconds, as upstream's one token always was) and the tokens a
 * rotation with an overlap replaced (previousTokens), each live until its overlap ends or it
 * expires, whichever is first. Pure functions: the use cases and the verifier share them.
 */

/** At most this many live tokens per configuration (the current one included). */
export const MAX_LIVE_TOKENS = 5;

/** A live token as ListSCIMTokens shows it. */
export interface ScimTokenView {
  id: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  current: boolean;
  /** For a rotated-out token: when it stops working (never after expiresAt). */
  overlapEndsAt: Date | undefined;
  lastUse: CredentialUse | undefined;
}

type TokenFields = Pick<ScimConfigurationRecord, "tokenHash" | "tokenId">;

/**
 * The current token's id. Documents written before tokens had ids get one derived from the
 * token's hash (a hash of the hash: stable, and telling nothing about the token), formatted as
 * a UUID (version 8, "custom") so that every token id has one shape.
 */
export function currentTokenId(record: TokenFields): string {
  if (record.tokenId !== undefined) return record.tokenId;
  const h = createHash("sha256").update(`scim-token-id:${record.tokenHash}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** When a rotated-out token stops working: the end of its overlap, or its expiry if earlier. */
export function previousTokenEnd(token: PreviousScimToken): Date {
  return token.overlapEndsAt.getTime() < token.expiresAt.getTime() ? token.overlapEndsAt : token.expiresAt;
}

/** The rotated-out tokens that still work at `now`, newest first (by issue time, then id: UUIDv7 ids grow). */
export function livePreviousTokens(record: Pick<ScimConfigurationRecord, "previousTokens">, now: Date): PreviousScimToken[] {
  return (record.previousTokens ?? [])
    .filter((t) => previousTokenEnd(t).getTime() > now.getTime())
    .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function isCurrentTokenLive(record: ScimConfigurationRecord, now: Date): boolean {
  return tokenExpiresAt(record).getTime() > now.getTime();
}

/** Every live token, the current one first, then the others newest first. */
export function liveTokens(record: ScimConfigurationRecord, now: Date): ScimTokenView[] {
  const usage = record.tokenUsage ?? {};
  const views: ScimTokenView[] = [];
  if (isCurrentTokenLive(record, now)) {
    const id = currentTokenId(record);
    views.push({
      id,
      prefix: record.tokenPrefix ?? "",
      createdAt: record.tokenIssuedAt,
      expiresAt: tokenExpiresAt(record),
      current: true,
      overlapEndsAt: undefined,
      lastUse: usage[id],
    });
  }
  for (const t of livePreviousTokens(record, now)) {
    views.push({ id: t.id, prefix: t.prefix, createdAt: t.issuedAt, expiresAt: t.expiresAt, current: false, overlapEndsAt: previousTokenEnd(t), lastUse: usage[t.id] });
  }
  return views;
}

/** What a presented token's hash is to this configuration. */
export type TokenMatch = { kind: "live"; tokenId: string } | { kind: "expired" } | { kind: "rotated_out"; endedAt: Date } | { kind: "none" };

/**
 * Which token of the record the hash names, and whether it works at `now`. The record came from
 * a lookup by this hash, so "none" only happens when a write raced the lookup.
 */
export function matchToken(record: ScimConfigurationRecord, tokenHash: string, now: Date): TokenMatch {
  if (record.tokenHash === tokenHash) {
    return isCurrentTokenLive(record, now) ? { kind: "live", tokenId: currentTokenId(record) } : { kind: "expired" };
  }
  const previous = record.previousTokens?.find((t) => t.hash === tokenHash);
  if (!previous) return { kind: "none" };
  if (previous.expiresAt.getTime() <= now.getTime()) return { kind: "expired" };
  const end = previousTokenEnd(previous);
  return end.getTime() > now.getTime() ? { kind: "live", tokenId: previous.id } : { kind: "rotated_out", endedAt: end };
}

/** Usage entries whose token is not among `liveIds` (dropped by the next credential write). */
export function staleUsage(usage: Record<string, CredentialUse> | undefined, liveIds: ReadonlySet<string>): string[] {
  return Object.keys(usage ?? {}).filter((id) => !liveIds.has(id));
}
