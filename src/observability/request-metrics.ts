import type { HttpRequest } from "../http/http-router.js";
import type { RequestInfo } from "../http/request-info.js";
import type { ServiceMetrics } from "./metrics.js";

/** The part of a response the recorder reads once it is over. */
export interface FinishedResponse {
  readonly statusCode: number;
  /** False when the connection closed before the whole answer was out. */
  readonly writableFinished: boolean;
}

/** Called once per request when its answer is out (or the client went away); see access-log.ts. */
export type RequestObserver = (req: HttpRequest, res: FinishedResponse, info: RequestInfo, ms: number) => void;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Nothing routed the request (a 404, or an RPC path no service has). */
export const UNMATCHED = "{unmatched}";

/**
 * Turns the per-request record into the request metrics, with bounded labels only: the protocol
 * from the content type (RPCs only; everything else is rest), the method from a fixed list, the
 * procedure or route template that the RPC handler or the router recorded (never the path, which
 * carries ids), and the outcome in the protocol's words. Also counts the credential check's outcome.
 */
export function createRequestRecorder(metrics: ServiceMetrics): RequestObserver {
  return (req, res, info, ms) => {
    const rpc = info.route?.kind === "rpc";
    const method = req.method !== undefined && METHODS.has(req.method) ? req.method : "other";
    let code: string;
    if (!res.writableFinished) code = "client_closed";
    else if (rpc) code = info.code ?? "unknown";
    else code = String(res.statusCode);
    metrics.request({ protocol: rpc ? rpcProtocol(req) : "rest", method, route: routeLabel(req, info), code, seconds: ms / 1000 });
    if (info.auth) metrics.authentication(info.auth.credential, info.auth.outcome);
  };
}

function rpcProtocol(req: HttpRequest): string {
  const contentType = req.headers["content-type"] ?? "";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/**
 * The route's label. A router template's trailing `*` is the rest of the path: under a SCIM
 * collection (a capitalised segment: Users, Groups, Schemas, ResourceTypes) an id, elsewhere a path
 * nothing serves. The console's files are served before the router, so no route names them.
 */
export function routeLabel(req: HttpRequest, info: RequestInfo): string {
  const route = info.route;
  if (route === undefined) return (req.url ?? "").startsWith("/console/") ? "/console/*" : UNMATCHED;
  if (route.kind === "rpc" || !route.name.endsWith("/*")) return route.name;
  const prefix = route.name.slice(0, -2);
  return /\/[A-Z][A-Za-z]*$/.test(prefix) ? `${prefix}/{id}` : `${prefix}/{unknown}`;
}
