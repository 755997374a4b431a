import { randomUUID } from "node:crypto";
import type { Refusal } from "../auth/credential-check.js";
import type { AuditActor, AuditContext } from "../domain/audit/audit-entry.js";
import type { AuditTrail } from "../domain/audit/audit-trail.js";
import { clientAddressOf } from "../http/client-address.js";
import type { HttpRequest } from "../http/http-router.js";
import { requestInfoOf } from "../http/request-info.js";

/**
 * The audit context of an HTTP request: the authenticated actor, the request id the access log
 * carries (a fresh one outside a served request, as in unit tests) and the client address.
 */
export function auditContextOf(req: HttpRequest, actor: AuditActor): AuditContext {
  const info = requestInfoOf(req);
  return { actor, requestId: info?.id ?? randomUUID(), clientAddress: clientAddressOf(req) };
}

/**
 * Records a refused SCIM credential in its configuration's trail when an admin must see it: a
 * disabled configuration's identity provider keeps calling, and a credential used from outside
 * its allowlist may have leaked (throttled, audit-trail.ts). Other refusals name no configuration.
 */
export async function auditRefusal(audit: Pick<AuditTrail, "refused">, req: HttpRequest, refusal: Refusal): Promise<void> {
  if (refusal.reason !== "disabled" && refusal.reason !== "address_not_allowed") return;
  await audit.refused(auditContextOf(req, { kind: "scim_configuration", id: refusal.configuration.id }), refusal.configuration, refusal.reason);
}
