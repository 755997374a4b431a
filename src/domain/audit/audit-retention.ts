import type { Clock } from "../clock.js";
import type { AuditStore } from "./ports.js";

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

export interface AuditRetentionOptions {
  store: AuditStore;
  clock: Clock;
  /** Entries older than this many days are deleted (AUDIT_RETENTION_DAYS). */
  retentionDays: number;
}

/**
 * Deletes entries past the retention period. MongoDB does this by itself through a TTL index on
 * `createdAt`; FerretDB v1.24 refuses TTL indexes ("expireAfterSeconds is not implemented yet")
 * and the memory store has none, so the app also calls `sweep` at start-up and periodically. On
 * MongoDB the sweep finds at most what the TTL monitor (which runs every minute) has not deleted
 * yet, through the _id index (ids encode the creation time).
 */
export class AuditRetention {
  constructor(private readonly options: AuditRetentionOptions) {}

  /** The oldest creation time that is kept. */
  cutoff(): Date {
    return new Date(this.options.clock.now().getTime() - this.options.retentionDays * DAY_MS);
  }

  /** Deletes the entries created before the cutoff; returns how many. */
  sweep(): Promise<number> {
    return this.options.store.deleteCreatedBefore(this.cutoff());
  }
}
