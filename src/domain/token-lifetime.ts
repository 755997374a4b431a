import { ValidationError } from "./validation-error.js";

export const DAY_SECONDS = 86_400;
export const MIN_TOKEN_LIFETIME_SECONDS = DAY_SECONDS;
export const MAX_TOKEN_LIFETIME_SECONDS = 730 * DAY_SECONDS;
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 365 * DAY_SECONDS;

/** A protobuf Duration reduced to what the lifetime rule needs. */
export interface DurationLike {
  seconds: bigint;
  nanos: number;
}

/**
 * Checks a requested token lifetime against the 1 day .. 2 years rule (inclusive) and returns it
 * in whole seconds. Fractions of a second are refused rather than rounded: a lifetime is a policy
 * value and silently changing it would surprise.
 */
export function tokenLifetimeSeconds(field: string, d: DurationLike | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  const rule = "must be between 1 day and 2 years (86400s to 63072000s)";
  if (d.nanos !== 0) throw new ValidationError(field, `${rule} in whole seconds`);
  if (d.seconds < BigInt(MIN_TOKEN_LIFETIME_SECONDS) || d.seconds > BigInt(MAX_TOKEN_LIFETIME_SECONDS)) {
    throw new ValidationError(field, rule);
  }
  return Number(d.seconds);
}
