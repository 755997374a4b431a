import { Code, ConnectError, type Interceptor, type UnaryRequest, type StreamRequest } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { kRequestInfo, requestLogger, type RequestInfo } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import { toConnectError } from "./connect-errors.js";
import { kPrincipal } from "./context.js";

/**
 * The one interceptor every RPC passes through. It does three things, in one promise per call
 * rather than three interceptors' worth (each was an async frame and a promise on every call,
 * on the path the bench's Get row measures):
 *
 * - Fails closed: every call to a service that is not open must carry the principal that the
 *   admission (src/rpc/admission.ts, run by the transport from the headers) put into its
 *   context. A call without one means the admission was not wired, and is refused.
 * - Ends a unary call when its signal aborts: the client's deadline (Connect-Timeout-Ms,
 *   grpc-timeout) has passed or the client went away. connect-es aborts the handler context's
 *   signal at the deadline but still waits for the implementation to return before it answers;
 *   an implementation waiting on a database that hangs therefore answered after DB_TIMEOUT_MS
 *   instead of at the client's deadline. Settling at the abort answers deadline_exceeded on
 *   time; the abandoned work ends by itself within the database timeout and its outcome is dropped.
 * - Maps domain failures to Connect codes and answers anything unexpected as internal without
 *   detail, logging its cause (which Connect itself would not) with the request id. The outcome
 *   goes to the access log's line for the request; nothing here logs headers or messages, so no
 *   secret reaches the log.
 */
export function createCallInterceptor(logger: Logger, openServices: ReadonlySet<string> = new Set()): Interceptor {
  return (next) => (req) => {
    const info = req.contextValues.get(kRequestInfo);
    if (!openServices.has(req.service.typeName) && req.contextValues.get(kPrincipal) === undefined) {
      return Promise.reject(outcomeOf(new ConnectError("missing API key: send Authorization: Bearer <API key>", Code.Unauthenticated), req, info, logger));
    }
    const { signal } = req;
    if (req.stream) {
      return next(req).then((res) => {
        if (info) info.code = "ok";
        return res;
      }, (err: unknown) => Promise.reject(outcomeOf(err, req, info, logger)));
    }
    if (signal.aborted) return Promise.reject(outcomeOf(reasonOf(signal), req, info, logger));
    // One promise settled by whichever comes first; the abandoned call's later outcome is
    // dropped (neither noted for the access log nor logged).
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        settled = true;
        reject(outcomeOf(reasonOf(signal), req, info, logger));
      };
      signal.addEventListener("abort", onAbort);
      next(req).then(
        (res) => {
          signal.removeEventListener("abort", onAbort);
          if (settled) return;
          if (info) info.code = "ok";
          resolve(res);
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          if (!settled) reject(outcomeOf(err, req, info, logger));
        },
      );
    });
  };
}

/** The error to answer for `err`, with its code noted for the access log; unexpected ones are logged and hidden. */
function outcomeOf(err: unknown, req: UnaryRequest | StreamRequest, info: RequestInfo | undefined, logger: Logger): ConnectError {
  const mapped = toConnectError(err);
  if (mapped) {
    if (info) info.code = codeToString(mapped.code);
    return mapped;
  }
  requestLogger(info, logger).error({ procedure: `${req.service.typeName}/${req.method.name}`, err }, "rpc failed with an unexpected error");
  if (info) info.code = "internal";
  return new ConnectError("internal error", Code.Internal);
}

/** The deadline's own error (deadline_exceeded); a client that went away aborts without one. */
function reasonOf(signal: AbortSignal): ConnectError {
  return signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the call was cancelled", Code.Canceled);
}
