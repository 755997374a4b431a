import type { Clock } from "../clock.js";
import { NotFoundError, StoreUnavailableError } from "../errors.js";
import type { CredentialWrite, ScimConfigurationStore } from "../ports.js";
import type { ScimConfigurationRecord } from "../records.js";

/** What a change of credentials computes from the record it read. */
export interface CredentialPlan<T> {
  write: Omit<CredentialWrite, "expectedVersion">;
  /** The caller's answer, from the record as written. */
  result: (after: ScimConfigurationRecord) => T;
}

/** Tries before giving up: each conflict means another credential write of the same configuration landed in between. */
const ATTEMPTS = 8;

/**
 * Read, compute, compare-and-set, and again on a conflict: the way every credential change that
 * depends on the stored credentials is written (rotate with an overlap, revoke, client secrets,
 * access tokens). Without transactions this keeps two concurrent changes from undoing each other
 * (the loser recomputes from the winner's result); the plan may throw (a rule the record breaks).
 */
export async function changeCredentials<T>(options: {
  store: Pick<ScimConfigurationStore, "writeCredentials">;
  clock: Clock;
  /** Reads the record (undefined: not found). */
  load: () => Promise<ScimConfigurationRecord | undefined>;
  plan: (record: ScimConfigurationRecord, now: Date) => CredentialPlan<T>;
  /** The NotFoundError to throw when there is no record. */
  notFound: () => NotFoundError;
}): Promise<T> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await options.load();
    if (!record) throw options.notFound();
    const plan = options.plan(record, options.clock.now());
    const after = await options.store.writeCredentials(record.organizationId, record.id, { ...plan.write, expectedVersion: record.credentialVersion });
    if (after === undefined) throw options.notFound();
    if (after !== "conflict") return plan.result(after);
  }
  // Only a storm of concurrent credential changes of one configuration gets here.
  throw new StoreUnavailableError({ cause: new Error(`credential write lost ${ATTEMPTS} races in a row`) });
}
