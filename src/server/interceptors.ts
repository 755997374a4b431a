import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { ApiKeys } from "../domain/api-keys.js";
import type { Logger } from "../logger.js";
import { kPrincipal } from "../service/context.js";
import { toConnectError } from "./connect-errors.js";
import { bearerToken } from "./authorization-header.js";

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
 * Authenticates the management API key of every call and puts the principal into the context.
 * Only `Authorization: Bearer <key>` is accepted here (the Unleash routes also take a bare key).
 * Services in `openServices` (health, reflection) are called without a key.
 */
export function createAuthInterceptor(apiKeys: ApiKeys, openServices: ReadonlySet<string> = new Set()): Interceptor {
  return (next) => async (req) => {
    if (openServices.has(req.service.typeName)) return next(req);
    const key = bearerToken(req.header.get("authorization"));
    if (key === undefined) {
      throw new ConnectError("missing API key: send Authorization: Bearer <key>", Code.Unauthenticated);
    }
    req.contextValues.set(kPrincipal, await apiKeys.authenticate(key));
    return next(req);
  };
}
