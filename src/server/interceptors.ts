import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { ApiKeys } from "../domain/api-keys.js";
import { UnauthenticatedError } from "../domain/errors.js";
import type { Logger } from "../logger.js";
import { kPrincipal } from "../service/context.js";
import { toConnectError } from "./connect-errors.js";
import { bearerToken } from "./authorization-header.js";
import { kClientAddress } from "./client-address.js";
import type { AuthFailureLimiter } from "./rate-limit.js";

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
 * Services in `openServices` (health, reflection) are called without a key. A client that keeps
 * presenting bad keys is refused with resource_exhausted and Retry-After before its key is even
 * looked up.
 */
export function createAuthInterceptor(apiKeys: ApiKeys, openServices: ReadonlySet<string> = new Set(), limiter?: AuthFailureLimiter): Interceptor {
  return (next) => async (req) => {
    if (openServices.has(req.service.typeName)) return next(req);
    const client = req.contextValues.get(kClientAddress);
    const wait = limiter?.blockedFor(client) ?? 0;
    if (wait > 0) throw tooManyAuthFailures(wait);
    const key = bearerToken(req.header.get("authorization"));
    if (key === undefined) {
      throw new ConnectError("missing API key: send Authorization: Bearer <key>", Code.Unauthenticated);
    }
    try {
      req.contextValues.set(kPrincipal, await apiKeys.authenticate(key));
    } catch (err) {
      if (err instanceof UnauthenticatedError) limiter?.recordFailure(client);
      throw err;
    }
    return next(req);
  };
}

/** The refusal of a client that failed to authenticate too often; Retry-After says when to try again. */
export function tooManyAuthFailures(retryAfterSeconds: number): ConnectError {
  return new ConnectError(
    `too many failed authentications from this client; retry after ${retryAfterSeconds} s`,
    Code.ResourceExhausted,
    { "retry-after": String(retryAfterSeconds) },
  );
}
