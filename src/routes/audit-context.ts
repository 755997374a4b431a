import { randomUUID } from "node:crypto";
import type { AuditActor, AuditContext } from "../domain/audit/audit-entry.js";
import { clientAddressOf } from "../http/client-address.js";
import type { HttpRequest } from "../http/http-router.js";
import { requestInfoOf } from "../http/request-info.js";

/**
 * The audit context of an HTTP request: the authenticated actor, the request id the access log
 * carries (a fresh one outside a served request, as in unit tests) and the client address.
 */
export function auditContextOf(req: HttpRequest, actor: AuditActor): AuditContext {
  const info = requestInfoOf(req);
  return { actor, requestId: info?.id ?? randomUUID(), clientAddress: info?.client ?? clientAddressOf(req) };
}
