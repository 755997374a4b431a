import type { Page } from "../pagination.js";
import type { AuditEntryRecord, AuditSubjectType } from "./audit-entry.js";

/** Which entries a list wants; every field that is set must match (any value of a list). */
export interface AuditFilter {
  actorIds?: readonly string[] | undefined;
  subjectIds?: readonly string[] | undefined;
  subjectTypes?: readonly AuditSubjectType[] | undefined;
  /** Inclusive lower bound of the entries' ids (see idBoundOf): entries created at or after a time. */
  fromId?: string | undefined;
  /** Exclusive upper bound of the entries' ids: entries created before a time. */
  toId?: string | undefined;
}

/** A keyset page in id (= time) order, ascending or descending, continuing after `afterId`. */
export interface AuditPageRequest {
  limit: number;
  afterId: string | undefined;
  order: "asc" | "desc";
}

/**
 * Where the audit trail lives. Entries are only ever appended, read and expired; every read is
 * scoped by organization. Lists are keyset pages by id, served by an index per filter field.
 */
export interface AuditStore {
  append(entry: AuditEntryRecord): Promise<void>;
  get(organizationId: string, id: string): Promise<AuditEntryRecord | undefined>;
  /** The organization's entries among `ids` (others are left out), in no particular order. */
  getMany(organizationId: string, ids: readonly string[]): Promise<AuditEntryRecord[]>;
  list(organizationId: string, filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditEntryRecord>>;
  /** Retention: deletes every entry created before `cutoff`; returns how many went. */
  deleteCreatedBefore(cutoff: Date): Promise<number>;
}
