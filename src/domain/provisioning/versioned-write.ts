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
const ATTEMPTS = 50;

/**
 * Writes to one resource, one after another within this process. Identity providers send bursts
 * of changes to one resource (Entra's membership batches, Okta's group pushes); run together they
 * would each read the same version and all but one would have to recompute and retry, so n
 * concurrent writers cost about n²/2 attempts. Queued, each lands on its first attempt. Writers
 * on other replicas still race, and the versioned write below settles that.
 */
export class ResourceWriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once its last queued write is done, so the map holds only pending work.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resources with writes pending (for tests). */
  get size(): number {
    return this.tails.size;
  }
}

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
    // Jittered backoff keeps writers on one resource (across replicas) from colliding in lockstep.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 ** i)));
  }
  throw new ScimError(409, undefined, "The resource is being modified by many requests at once; retry.");
}
