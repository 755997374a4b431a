import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Ends a unary call when its signal aborts: the client's deadline (Connect-Timeout-Ms,
 * grpc-timeout) has passed, the client went away, or the server is shutting down.
 *
 * connect-es aborts the handler context's signal at the deadline but still waits for the
 * implementation to return before it answers; an implementation waiting on a database that hangs
 * therefore answered after DB_TIMEOUT_MS instead of at the client's deadline. Racing the call
 * against the signal answers deadline_exceeded on time; the abandoned work ends by itself within
 * the database timeout and its outcome is dropped.
 */
export function createDeadlineInterceptor(): Interceptor {
  return (next) => (req) => {
    if (req.stream) return next(req);
    const { signal } = req;
    if (signal.aborted) return Promise.reject(reasonOf(signal));
    // One promise settled by whichever comes first (the abandoned call's later outcome is dropped).
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(reasonOf(signal));
      signal.addEventListener("abort", onAbort, { once: true });
      next(req).then(
        (res) => {
          signal.removeEventListener("abort", onAbort);
          resolve(res);
        },
        (err: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  };
}

/** The deadline's own error (deadline_exceeded); a client that went away aborts without one. */
function reasonOf(signal: AbortSignal): ConnectError {
  return signal.reason instanceof ConnectError ? signal.reason : new ConnectError("the call was cancelled", Code.Canceled);
}
