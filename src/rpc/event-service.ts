import { create } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  GetAuditLogResponseSchema,
  ListAuditLogsResponseSchema,
  ResourceType,
  type EventService,
  type GetAuditLogRequest,
  type GetAuditLogResponse,
  type ListAuditLogsRequest,
  type ListAuditLogsResponse,
} from "../../gen/gitpod/v1/event_pb.js";
import { Principal } from "../../gen/gitpod/v1/identity_pb.js";
import { PaginationResponseSchema, SortOrder } from "../../gen/gitpod/v1/pagination_pb.js";
import type { AuditSubjectType } from "../domain/audit/audit-entry.js";
import type { AuditTrail } from "../domain/audit/audit-trail.js";
import type { AuditFilter } from "../domain/audit/ports.js";
import { idBoundOf } from "../domain/audit/time-bounds.js";
import { parsePageRequest } from "../domain/pagination.js";
import { maxLength, requireUuid } from "../domain/rules.js";
import { ValidationError } from "../domain/validation-error.js";
import { principalOf, queryPageParams } from "./context.js";
import { MAX_FILTER_IDS } from "./member-requests.js";
import { ACTOR_PRINCIPAL, auditEntryToProto, SUBJECT_TYPE_TO_PROTO } from "./read-mappers.js";

type Impl = ServiceImpl<typeof EventService>;

const SUBJECT_TYPE_FROM_PROTO = new Map<ResourceType, AuditSubjectType>(
  (Object.entries(SUBJECT_TYPE_TO_PROTO) as [AuditSubjectType, ResourceType][]).map(([k, v]) => [v, k]),
);

/**
 * gitpod.v1.EventService: the caller's organization's audit trail (ListAuditLogs, GetAuditLog),
 * readable with admin and member keys alike, as every read here is. Upstream's WatchEvents is
 * not served.
 */
export class EventServiceHandler implements Impl {
  constructor(private readonly trail: AuditTrail) {}

  async listAuditLogs(req: ListAuditLogsRequest, ctx: HandlerContext): Promise<ListAuditLogsResponse> {
    const { organizationId } = principalOf(ctx);
    const { limit, afterId } = parsePageRequest(req.pagination ?? {}, queryPageParams(ctx));
    const order = sortOrder(req);
    const { filter, none } = auditFilter(req);
    const page = none ? { items: [], nextToken: "" } : await this.trail.list(organizationId, filter, { limit, afterId, order });
    return create(ListAuditLogsResponseSchema, {
      entries: page.items.map(auditEntryToProto),
      pagination: create(PaginationResponseSchema, { nextToken: page.nextToken }),
    });
  }

  async getAuditLog(req: GetAuditLogRequest, ctx: HandlerContext): Promise<GetAuditLogResponse> {
    const { organizationId } = principalOf(ctx);
    const entry = await this.trail.get(organizationId, requireUuid("audit_log_entry_id", req.auditLogEntryId));
    return create(GetAuditLogResponseSchema, { entry: auditEntryToProto(entry) });
  }
}

/** Newest first unless asked otherwise; the only sort field is the creation time. */
function sortOrder(req: ListAuditLogsRequest): "asc" | "desc" {
  const field = req.sort?.field ?? "";
  if (field !== "" && field !== "createdAt" && field !== "created_at") throw new ValidationError("sort.field", 'must be "createdAt" (or empty)');
  return req.sort?.order === SortOrder.ASC ? "asc" : "desc";
}

function auditFilter(req: ListAuditLogsRequest): { filter: AuditFilter; none: boolean } {
  const f = req.filter;
  if (!f) return { filter: {}, none: false };
  const ids = (field: string, values: readonly string[]) => {
    if (values.length > MAX_FILTER_IDS) throw new ValidationError(field, `must name at most ${MAX_FILTER_IDS} ids`);
    return values.map((v, i) => maxLength(`${field}[${i}]`, v, 128));
  };
  const actorIds = ids("filter.actor_ids", f.actorIds);
  const subjectIds = ids("filter.subject_ids", f.subjectIds);
  // A type no entry here has (an environment, a runner...) matches none; if all asked are such, nothing does.
  const subjectTypes = f.subjectTypes.flatMap((t) => SUBJECT_TYPE_FROM_PROTO.get(t) ?? []);
  const noType = f.subjectTypes.length > 0 && subjectTypes.length === 0;
  const noPrincipal = f.actorPrincipals.length > 0 && !f.actorPrincipals.includes(ACTOR_PRINCIPAL) && !f.actorPrincipals.includes(Principal.UNSPECIFIED);
  const fromId = f.from ? idBoundOf(ceilToMillisecond(f.from)) : undefined;
  const toId = f.to ? idBoundOf(ceilToMillisecond(f.to)) : undefined;
  return {
    filter: {
      ...(actorIds.length > 0 ? { actorIds } : {}),
      ...(subjectIds.length > 0 ? { subjectIds } : {}),
      ...(subjectTypes.length > 0 ? { subjectTypes } : {}),
      ...(fromId !== undefined ? { fromId } : {}),
      ...(toId !== undefined ? { toId } : {}),
    },
    none: noType || noPrincipal || (fromId !== undefined && toId !== undefined && fromId >= toId),
  };
}

/**
 * Entries carry millisecond times: "created at or after from" and "created before to" both hold
 * from the next whole millisecond when the timestamp has a fraction of one.
 */
function ceilToMillisecond(ts: Timestamp): Date {
  return new Date(Number(ts.seconds) * 1000 + Math.ceil(ts.nanos / 1_000_000));
}
