import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

export const DAY_SECONDS = 86_400;
/** The service accepts 1 day to 2 years (730 days); 1 year is its default. */
export const LIFETIMES: { label: string; days: number }[] = [
  { label: "1 day", days: 1 },
  { label: "7 days", days: 7 },
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "180 days", days: 180 },
  { label: "1 year", days: 365 },
  { label: "2 years", days: 730 },
];
export const DEFAULT_LIFETIME_DAYS = 365;
/** Tokens expiring sooner than this get a warning, so an admin rotates before provisioning stops. */
export const EXPIRY_WARNING_DAYS = 30;

export function durationOfDays(days: number) {
  return { seconds: BigInt(days * DAY_SECONDS), nanos: 0 };
}

export function formatTime(ts: Timestamp | undefined): string {
  if (!ts) return "—";
  return timestampDate(ts).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export type ExpiryState = { kind: "ok" } | { kind: "soon"; days: number } | { kind: "expired" };

export function expiryState(ts: Timestamp | undefined, now = Date.now()): ExpiryState {
  if (!ts) return { kind: "ok" };
  const ms = timestampDate(ts).getTime() - now;
  if (ms <= 0) return { kind: "expired" };
  const days = Math.ceil(ms / (DAY_SECONDS * 1000));
  return days <= EXPIRY_WARNING_DAYS ? { kind: "soon", days } : { kind: "ok" };
}
