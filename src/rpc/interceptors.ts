import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { CredentialCheck, Refusal } from "../auth/credential-check.js";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { kClientAddress } from "../http/client-address.js";
import { kRequestInfo } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import { toConnectError } from "./connect-errors.js";
import { kPrincipal } from "./context.js";

/**
 * Outermost interceptor: maps domain failures to Connect codes and answers anything unexpected
 * as internal without detail, logging its cause (which Connect itself would not) with the
 * request id. The outcome goes to the access log's line for the request; nothing here logs
 * headers or messages, so no secret reaches the log.
 */
export function createErrorAndLogInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const info = req.contextValues.get(kRequestInfo);
    try {
      const res = await next(req);
      if (info) info.code = "ok";
      return res;
    } catch (err) {
      const mapped = toConnectError(err);
      if (mapped) {
        if (info) info.code = codeToString(mapped.code);
        throw mapped;
      }
      logger.error({ reqId: info?.id, procedure: `${req.service.typeName}/${req.method.name}`, err }, "rpc failed with an unexpected error");
      if (info) info.code = "internal";
      throw new ConnectError("internal error", Code.Internal);
    }
  };
}

/**
 * Authenticates the management API key of every call (the one credential check) and puts the
 * principal into the context. Only `Authorization: Bearer <key>` is accepted on the RPCs (the
 * Unleash routes also take a bare key). Services in `openServices` (health, reflection) are
 * called without a key.
 */
export function createAuthInterceptor(credentials: CredentialCheck, openServices: ReadonlySet<string> = new Set()): Interceptor {
  return (next) => async (req) => {
    if (openServices.has(req.service.typeName)) return next(req);
    const client = req.contextValues.get(kClientAddress);
    const result = await credentials.managementKey(req.header.get("authorization") ?? undefined, client, false);
    if (!result.ok) throw refusalToConnectError(result.refusal);
    req.contextValues.set(kPrincipal, result.principal);
    const info = req.contextValues.get(kRequestInfo);
    if (info) info.apiKeyId = result.principal.apiKeyId;
    return next(req);
  };
}

function refusalToConnectError(refusal: Refusal): ConnectError {
  if (refusal.reason === "blocked") {
    return new ConnectError(refusal.detail, Code.ResourceExhausted, { "retry-after": String(refusal.retryAfterSeconds) });
  }
  return new ConnectError(refusal.detail, Code.Unauthenticated);
}
