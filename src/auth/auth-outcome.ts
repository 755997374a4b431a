import type { CheckResult } from "./credential-check.js";

/**
 * A credential check's result as one word for the metrics: ok, or why it was refused (missing,
 * blocked, disabled, address_not_allowed, and for SCIM tokens the cause of an invalid one: malformed, unknown, expired, rotated_out).
 */
export function authOutcomeOf(result: CheckResult<unknown>): string {
  if (result.ok) return "ok";
  const refusal = result.refusal;
  return refusal.reason === "invalid" ? (refusal.cause ?? "invalid") : refusal.reason;
}
