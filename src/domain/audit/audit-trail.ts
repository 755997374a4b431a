import type { Clock } from "../clock.js";
import { NotFoundError } from "../errors.js";
import { newId } from "../ids.js";
import type { Page } from "../pagination.js";
import { AUDIT_ACTION, type AuditAction, type AuditContext, type AuditEntryKind, type AuditEntryRecord, type AuditSubjectType } from "./audit-entry.js";
import type { AuditFilter, AuditPageRequest, AuditStore } from "./ports.js";
import { timeOfId } from "./time-bounds.js";

/** What changed, as the use case that changed it knows it. */
export interface AuditChange {
  organizationId: string;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string;
  /** For updates: names of the fields that changed (never values). */
  changedFields?: readonly string[];
  scimConfigurationId?: string;
  scimResourceId?: string;
  kind?: AuditEntryKind;
}

/** Why a SCIM call was refused, among the refusals the trail records. */
export type ScimRefusal = "disabled" | "rate_limited" | "address_not_allowed";

const REFUSAL_ACTIONS: Record<ScimRefusal, AuditAction> = {
  disabled: AUDIT_ACTION.refusedDisabled,
  rate_limited: AUDIT_ACTION.refusedRateLimited,
  address_not_allowed: AUDIT_ACTION.refusedAddress,
};

export interface AuditTrailOptions {
  store: AuditStore;
  clock: Clock;
  /**
   * Called when an entry could not be stored after its change succeeded (the caller logs it: the
   * log line is then the only record). The change is not undone and its request still succeeds.
   */
  onLost: (entry: AuditEntryRecord, err: unknown) => void;
  /** At most one refused-call entry per SCIM configuration and reason within this window; default 60 s. */
  refusalWindowMs?: number;
  /** Configurations whose last refusal is remembered for the window; the oldest are forgotten first. */
  maxTrackedRefusals?: number;
}

/**
 * The audit trail: builds one entry per change and stores it. Use cases call `record` AFTER their
 * change succeeded, in the same code path, so:
 * - a change that failed or was refused leaves no entry (the trail never claims a change that did
 *   not happen);
 * - a process that dies between the change and its entry (or a database that refuses the entry's
 *   insert) leaves a change without an entry. That is the price of this order without
 *   transactions; the other order would leave entries for changes that never happened, which an
 *   admin could not tell from real ones. A lost insert is reported through `onLost` (logged with
 *   the request id), so it is visible; a crash is visible only as the request's missing access
 *   log line. The request waits for its entry, so an entry exists before the caller hears "done".
 */
export class AuditTrail {
  private readonly lastRefusal = new Map<string, number>();

  constructor(private readonly options: AuditTrailOptions) {}

  async record(context: AuditContext, change: AuditChange): Promise<void> {
    const entry = this.entryOf(context, change);
    try {
      await this.options.store.append(entry);
    } catch (err) {
      this.options.onLost(entry, err);
    }
  }

  /**
   * A SCIM call refused because its configuration is disabled or over its rate limit, or because
   * its credential came from an address the configuration's IP allowlist does not admit. Identity
   * providers retry such calls without end, so at most one entry per configuration and reason
   * is written per window (per process): the trail says "it was refused from then on" without
   * one write per refused call, which would make the database pay for the very load the rate
   * limit sheds.
   */
  async refused(context: AuditContext, configuration: { id: string; organizationId: string }, reason: ScimRefusal): Promise<void> {
    const key = `${configuration.id}/${reason}`;
    const now = this.options.clock.now().getTime();
    const last = this.lastRefusal.get(key);
    if (last !== undefined && now - last < (this.options.refusalWindowMs ?? 60_000)) return;
    this.lastRefusal.delete(key);
    this.lastRefusal.set(key, now);
    for (const k of this.lastRefusal.keys()) {
      if (this.lastRefusal.size <= (this.options.maxTrackedRefusals ?? 10_000)) break;
      this.lastRefusal.delete(k);
    }
    await this.record(context, {
      organizationId: configuration.organizationId,
      action: REFUSAL_ACTIONS[reason],
      subjectType: "scim_configuration",
      subjectId: configuration.id,
      scimConfigurationId: configuration.id,
      kind: "credential_access",
    });
  }

  list(organizationId: string, filter: AuditFilter, page: AuditPageRequest): Promise<Page<AuditEntryRecord>> {
    return this.options.store.list(organizationId, filter, page);
  }

  async get(organizationId: string, id: string): Promise<AuditEntryRecord> {
    const entry = await this.options.store.get(organizationId, id);
    if (!entry) throw new NotFoundError(`audit_log_entry ${id} not found`);
    return entry;
  }

  /** Entries by id, in the order asked; ids of other organizations' entries or of none are left out. */
  async getMany(organizationId: string, ids: readonly string[]): Promise<AuditEntryRecord[]> {
    const found = new Map((await this.options.store.getMany(organizationId, ids)).map((e) => [e.id, e]));
    return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
  }

  private entryOf(context: AuditContext, change: AuditChange): AuditEntryRecord {
    const id = newId(this.options.clock.now());
    return {
      id,
      organizationId: change.organizationId,
      // The time the id encodes (newId may move past a clock that stepped back), so that time
      // ranges are id ranges (time-bounds.ts).
      createdAt: timeOfId(id),
      kind: change.kind ?? "resource_change",
      actorKind: context.actor.kind,
      actorId: context.actor.id,
      action: change.action,
      subjectType: change.subjectType,
      subjectId: change.subjectId,
      requestId: context.requestId,
      clientAddress: context.clientAddress,
      changedFields: [...(change.changedFields ?? [])],
      scimConfigurationId: change.scimConfigurationId ?? "",
      scimResourceId: change.scimResourceId ?? "",
      bulkOperation: context.bulkOperation ?? 0,
    };
  }
}
