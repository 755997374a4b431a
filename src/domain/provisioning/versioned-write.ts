import { ScimError } from "../scim/scim-error.js";
import { etagMatches } from "../scim/etag.js";
import type { Stale } from "./ports.js";

/** An If-Match (or If-None-Match) header, parsed: the versions it names, or "*". */
export type VersionCondition = number[] | "*";

/** 412 unless the condition names the version. */
export function requireVersion(ifMatch: VersionCondition | undefined, version: number): void {
  if (ifMatch !== undefined && !etagMatches(ifMatch, version)) {
    throw new ScimError(412, undefined, `The resource is at version W/"${version}", not the one If-Match names; read it again and retry.`);
  }
}

/** How many times a write based on a version another writer overtook is recomputed and retried. */
const ATTEMPTS = 20;

/**
 * Optimistic concurrency for read-modify-write (no transactions): `attempt` reads the current
 * version, computes the change and writes it conditionally on that version. When another writer
 * got there first ("stale"): with If-Match the client's precondition is gone (412); without, the
 * change is recomputed on the new version, so concurrent PATCHes of one resource each land.
 */
export async function withVersionRetry<T>(ifMatch: VersionCondition | undefined, attempt: () => Promise<T | Stale>): Promise<T> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== "stale") return result;
    if (ifMatch !== undefined) throw new ScimError(412, undefined, "The resource was modified by another request since the version If-Match names; read it again and retry.");
    // A little jitter keeps a burst of writers on one resource from colliding in lockstep.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** i)));
  }
  throw new ScimError(409, undefined, "The resource is being modified by many requests at once; retry.");
}
