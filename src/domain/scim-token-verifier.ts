import type { Clock } from "./clock.js";
import type { ScimConfigurationStore } from "./ports.js";
import { tokenExpiresAt, type ScimConfigurationRecord } from "./records.js";
import { hashSecret, isWellFormed, SCIM_TOKEN } from "./secret-token.js";

/** Why a presented SCIM token was refused; "disabled" is the only one a SCIM endpoint answers 403. */
export type ScimTokenRejection = "missing" | "malformed" | "unknown" | "expired" | "disabled";

export type ScimTokenVerification =
  | { ok: true; configuration: ScimConfigurationRecord }
  | { ok: false; reason: Exclude<ScimTokenRejection, "disabled"> }
  /** The configuration comes along, so the refusal can be recorded in its organization's audit trail. */
  | { ok: false; reason: "disabled"; configuration: ScimConfigurationRecord };

/**
 * Verifies SCIM bearer tokens as identity providers present them: shape and checksum first (no
 * database work for garbage), then one indexed lookup by hash, then expiry and enabled. No
 * cache: a regenerate, disable or delete is honoured by the very next request on every replica.
 */
export class ScimTokenVerifier {
  constructor(
    private readonly store: ScimConfigurationStore,
    private readonly clock: Clock,
  ) {}

  async verify(token: string | undefined): Promise<ScimTokenVerification> {
    if (token === undefined || token === "") return { ok: false, reason: "missing" };
    if (!isWellFormed(SCIM_TOKEN, token)) return { ok: false, reason: "malformed" };
    const configuration = await this.store.findByTokenHash(hashSecret(token));
    if (!configuration) return { ok: false, reason: "unknown" };
    if (tokenExpiresAt(configuration).getTime() <= this.clock.now().getTime()) return { ok: false, reason: "expired" };
    if (!configuration.enabled) return { ok: false, reason: "disabled", configuration };
    return { ok: true, configuration };
  }
}
