import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "../logging/logger.js";
import { toConnectError } from "./connect-errors.js";
import { kPrincipal } from "./context.js";

/**
 * Outermost interceptor: maps domain failures to Connect codes, answers anything unexpected as
 * internal without detail (logging its cause, which Connect itself would not), and writes one
 * log line per call. It never logs headers or messages, so no secret reaches the log.
 */
export function createErrorAndLogInterceptor(logger: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const procedure = `${req.service.typeName}/${req.method.name}`;
    try {
      const res = await next(req);
      logger.debug({ procedure, code: "ok", ms: Math.round(performance.now() - started) }, "rpc");
      return res;
    } catch (err) {
      const mapped = toConnectError(err);
      const ms = Math.round(performance.now() - started);
      if (mapped) {
        logger.info({ procedure, code: Code[mapped.code], ms }, "rpc");
        throw mapped;
      }
      logger.error({ procedure, ms, err }, "rpc failed with an unexpected error");
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
