import type { Logger } from "../logging/logger.js";
import { peerAddressOf, type ClientAddressResolver } from "../http/client-address.js";
import type { HttpRequest, RequestHandler } from "../http/http-router.js";
import { beginRequest, type RequestInfo } from "../http/request-info.js";

/** Told of every request once it is over, with its record and duration (the metrics). */
export type RequestFinished = (req: HttpRequest, res: { readonly statusCode: number; readonly writableFinished: boolean }, info: RequestInfo, ms: number) => void;

/** Outcomes that mean "the service could not do its work" rather than "the client asked wrongly". */
const DEGRADED_CODES = new Set(["unavailable", "deadline_exceeded", "internal", "unknown", "data_loss"]);

/**
 * One log line per request, whatever answers it (RPC, Unleash, SCIM, health, console): method,
 * path (never the query: it may carry a page token), status, the protocol's code where the status
 * alone does not say it (gRPC answers 200), duration, client address, who (API key id or SCIM
 * configuration id, never a secret) and the request id, which is also echoed in `x-request-id`.
 * Info level; a degraded answer (database down, deadline, internal) is a warning. `finished`,
 * when given, is told of the request at the same moment (the metrics count it there). The
 * client address is worked out here, once per request, by `clientOf` (TRUSTED_PROXIES' resolver;
 * the TCP peer by default), and kept in the request's record for everything after.
 */
export function withAccessLog(handler: RequestHandler, logger: Logger, finished?: RequestFinished, clientOf: ClientAddressResolver = peerAddressOf): RequestHandler {
  return (req, res) => {
    const started = performance.now();
    const info = beginRequest(req, clientOf(req));
    res.setHeader("x-request-id", info.id);
    const log = () => {
      const status = res.statusCode;
      const ms = performance.now() - started;
      finished?.(req, res, info, ms);
      const code = info.code;
      const degraded = status >= 500 || (code !== undefined && DEGRADED_CODES.has(code));
      // The line is built only when it is written (LOG_LEVEL=warn or above writes no info lines).
      if (!logger.isLevelEnabled(degraded ? "warn" : "info")) return;
      const line = {
        reqId: info.id,
        method: req.method,
        path: (req.url ?? "/").split("?", 1)[0],
        status,
        ...(code ? { code } : {}),
        ms: Math.round(ms),
        client: info.client,
        ...(info.apiKeyId ? { apiKeyId: info.apiKeyId } : {}),
        ...(info.scimConfigurationId ? { scimConfigurationId: info.scimConfigurationId } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (degraded) logger.warn(line, "request");
      else logger.info(line, "request");
    };
    // "close" comes after "finish" for a complete answer too (HTTP/1.1 and HTTP/2), and alone
    // when the client left first: one listener per request.
    res.once("close", log);
    handler(req, res);
  };
}
