import type { ScimConfigurationRecord } from "../store/records.js";
import type { ScimConfigurationStore } from "../store/stores.js";
import type { Clock } from "./clock.js";
import { hashSecret, isWellFormed, SCIM_TOKEN } from "./secret-token.js";

/** Why a presented SCIM token was refused; "disabled" is the only one a SCIM endpoint answers 403. */
export type ScimTokenRejection = "missing" | "malformed" | "unknown" | "expired" | "disabled";

export type ScimTokenVerification =
  | { ok: true; configuration: ScimConfigurationRecord }
  | { ok: false; reason: ScimTokenRejection };

/**
 * Verifies a SCIM bearer token as an identity provider presents it: shape and checksum first (no
 * database work for garbage), then one indexed lookup by hash, then enabled and expiry. No cache:
 * a regenerate, disable or delete is honoured by the very next request on every replica.
 */
export async function verifyScimToken(store: ScimConfigurationStore, clock: Clock, token: string | undefined): Promise<ScimTokenVerification> {
  if (token === undefined || token === "") return { ok: false, reason: "missing" };
  if (!isWellFormed(SCIM_TOKEN, token)) return { ok: false, reason: "malformed" };
  const configuration = await store.findByTokenHash(hashSecret(token));
  if (!configuration) return { ok: false, reason: "unknown" };
  if (configuration.tokenExpiresAt.getTime() <= clock.now().getTime()) return { ok: false, reason: "expired" };
  if (!configuration.enabled) return { ok: false, reason: "disabled" };
  return { ok: true, configuration };
}
