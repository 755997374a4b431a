import { bearerToken } from "../auth/authorization-header.js";
import type { AuthFailureLimiter } from "../auth/failure-limiter.js";
import { hashSecret } from "../domain/secret-token.js";
import { clientAddressOf } from "../http/client-address.js";
import { authorizationOf } from "../http/header-values.js";
import { sendJson, type HttpRequest, type HttpResponse, type HttpRouter } from "../http/http-router.js";
import { requestInfoOf, requestLogger } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import type { MetricsAccess } from "../observability/metrics-access.js";
import type { ServiceMetrics } from "../observability/metrics.js";

export interface MetricsRouteOptions {
  metrics: ServiceMetrics;
  /** Who may read them: allowed addresses, or the metrics secret. */
  access: MetricsAccess;
  /** The brute-force limiter every credential goes through: a wrong metrics secret counts as a failed guess. */
  limiter: AuthFailureLimiter;
  logger: Logger;
}

const CHALLENGE = 'Bearer realm="metrics"';

/**
 * GET /metrics in Prometheus text format, for a client at an allowed address (loopback unless
 * METRICS_ALLOW says otherwise) or one presenting METRICS_TOKEN as a bearer token. A refused
 * client gets 401 with a challenge when a secret is configured (it could send one), 403 when none
 * is. A wrong secret counts as a failed authentication of the client's address, as a wrong API
 * key does; the secret is never logged (the access log has no headers).
 */
export function registerMetricsRoute(router: HttpRouter, options: MetricsRouteOptions): void {
  router.add("GET", "/metrics", async (req, res) => {
    const client = requestInfoOf(req)?.client ?? clientAddressOf(req);
    if (!options.access.addressAllowed(client)) {
      const refused = checkSecret(req, client, options);
      if (refused) return refused(res);
    }
    let text: string;
    try {
      text = await options.metrics.render();
    } catch (err) {
      requestLogger(requestInfoOf(req), options.logger).error({ err }, "rendering the metrics failed");
      return sendJson(res, 500, { error: "internal error" });
    }
    res.writeHead(200, { "content-type": options.metrics.contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(text);
  });
}

/** Undefined when the request carries the metrics secret; otherwise how to refuse it. */
function checkSecret(req: HttpRequest, client: string, options: MetricsRouteOptions): ((res: HttpResponse) => void) | undefined {
  if (!options.access.acceptsToken) {
    return (res) => sendJson(res, 403, { error: "/metrics answers only from the addresses in METRICS_ALLOW (default: loopback) or with the metrics token" });
  }
  const header = authorizationOf(req);
  const token = typeof header === "string" ? bearerToken(header) : undefined;
  const unauthorized = (message: string) => (res: HttpResponse) => sendJson(res, 401, { error: message }, { "www-authenticate": CHALLENGE });
  if (token === undefined) return unauthorized("send the metrics token as Authorization: Bearer <token>");
  const credential = `metrics:${hashSecret(token)}`;
  const wait = options.limiter.admit(client, credential);
  if (wait > 0) return (res) => sendJson(res, 429, { error: `too many failed authentications from this client; retry after ${wait} s` }, { "retry-after": String(wait) });
  if (options.access.tokenMatches(token)) {
    options.limiter.recordSuccess(credential);
    return undefined;
  }
  options.limiter.recordFailure(client, credential);
  return unauthorized("the metrics token is not valid");
}
