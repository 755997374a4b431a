import { randomUUID } from "node:crypto";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { AuditContext } from "../domain/audit/audit-entry.js";
import { kClientAddress } from "../http/client-address.js";
import { kRequestInfo } from "../http/request-info.js";
import { requireAdmin, type Principal } from "../domain/principal.js";
import type { PageParams } from "../domain/pagination.js";

/** The authenticated caller, set by the auth interceptor before any handler runs. */
export const kPrincipal = createContextKey<Principal | undefined>(undefined, { description: "principal" });

export function principalOf(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(kPrincipal);
  // The auth interceptor runs for every procedure; reaching here without a principal is a bug.
  if (!principal) throw new Error("no principal in handler context");
  return principal;
}

/** The caller of a write: an admin key's principal (member keys get permission_denied). */
export function writer(ctx: HandlerContext): Principal {
  const principal = principalOf(ctx);
  requireAdmin(principal);
  return principal;
}

/** A response that carries a secret (a token, a client secret) must not be kept by any cache on the way. */
export function noStore(ctx: HandlerContext): void {
  ctx.responseHeader.set("cache-control", "no-store");
}

/** Page parameters from the URL query (`?token=&pageSize=`), which the official SDKs send. */
export function queryPageParams(ctx: HandlerContext): PageParams {
  const query = new URL(ctx.url, "http://localhost").searchParams;
  const params: PageParams = {};
  const token = query.get("token");
  const pageSize = query.get("pageSize") ?? query.get("page_size");
  if (token !== null) params.token = token;
  if (pageSize !== null) params.pageSize = pageSize;
  return params;
}

/**
 * The audit context of a call: the API key that authenticated it, the request id of its access
 * log line (a fresh one outside the served transport, as with in-memory test transports) and the
 * client address.
 */
export function auditContextOf(ctx: HandlerContext): AuditContext {
  const info = ctx.values.get(kRequestInfo);
  return {
    actor: { kind: "api_key", id: principalOf(ctx).apiKeyId },
    requestId: info?.id ?? randomUUID(),
    clientAddress: info?.client ?? ctx.values.get(kClientAddress),
  };
}
