import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { GetAuditLogDetailsResponseSchema, type AuditDetailService, type GetAuditLogDetailsRequest, type GetAuditLogDetailsResponse } from "../../gen/scimservice/v1/audit_details_pb.js";
import type { AuditTrail } from "../domain/audit/audit-trail.js";
import { requireUuid } from "../domain/rules.js";
import { ValidationError } from "../domain/validation-error.js";
import { principalOf } from "./context.js";
import { auditDetailsToProto } from "./read-mappers.js";

/** Most entries one GetAuditLogDetails call names: a page of ListAuditLogs at its largest. */
export const MAX_DETAIL_IDS = 100;

/**
 * scimservice.v1.AuditDetailService (this project's own): what the trail stores beyond upstream's
 * AuditLogEntry (request id, client address, changed field names, the SCIM resource), for the
 * entries a ListAuditLogs page returned, in one call.
 */
export class AuditDetailServiceHandler implements ServiceImpl<typeof AuditDetailService> {
  constructor(private readonly trail: AuditTrail) {}

  async getAuditLogDetails(req: GetAuditLogDetailsRequest, ctx: HandlerContext): Promise<GetAuditLogDetailsResponse> {
    const { organizationId } = principalOf(ctx);
    if (req.auditLogEntryIds.length > MAX_DETAIL_IDS) throw new ValidationError("audit_log_entry_ids", `must name at most ${MAX_DETAIL_IDS} entries`);
    const ids = req.auditLogEntryIds.map((id, i) => requireUuid(`audit_log_entry_ids[${i}]`, id));
    const entries = await this.trail.getMany(organizationId, ids);
    return create(GetAuditLogDetailsResponseSchema, { details: entries.map(auditDetailsToProto) });
  }
}
