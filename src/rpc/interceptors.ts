import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { kRequestInfo, requestLogger } from "../http/request-info.js";
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
      requestLogger(info, logger).error({ procedure: `${req.service.typeName}/${req.method.name}`, err }, "rpc failed with an unexpected error");
      if (info) info.code = "internal";
      throw new ConnectError("internal error", Code.Internal);
    }
  };
}

/**
 * Fails closed: every call to a service that is not open must carry the principal that the
 * admission (src/rpc/admission.ts, run by the transport from the headers) put into its context.
 * This only reads it; a call without one means the admission was not wired, and is refused.
 */
export function createAuthInterceptor(openServices: ReadonlySet<string> = new Set()): Interceptor {
  return (next) => async (req) => {
    if (openServices.has(req.service.typeName) || req.contextValues.get(kPrincipal) !== undefined) return next(req);
    throw new ConnectError("missing API key: send Authorization: Bearer <API key>", Code.Unauthenticated);
  };
}
