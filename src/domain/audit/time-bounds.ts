/**
 * Entry ids are UUIDv7, whose first 48 bits are the creation time in milliseconds, and an entry's
 * `createdAt` is that time (audit-trail.ts sets it from the id). So "created at or after t" is
 * "id ≥ bound(t)", and time ranges are id ranges on the id index every list walks anyway.
 */

/**
 * A string that sorts before every UUIDv7 made in the millisecond of `time` and after every one
 * made earlier. It is never an id itself (its version nibble is 0, a UUIDv7's is 7), so it works
 * as an inclusive lower bound or an exclusive upper bound alike.
 */
export function idBoundOf(time: Date): string {
  const ms = Math.max(0, Math.min(time.getTime(), 2 ** 48 - 1));
  const hex = Math.floor(ms).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The creation time a UUIDv7 encodes. */
export function timeOfId(id: string): Date {
  return new Date(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}
