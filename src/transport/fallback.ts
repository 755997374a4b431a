import type { HttpRequest, HttpResponse, HttpRouter } from "../http/http-router.js";
import { sendJson } from "../http/http-router.js";
import { requestInfoOf, requestLogger, type RouteName } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import { sendProtocolError } from "./protocol-error.js";
import { Code } from "@connectrpc/connect";

/** The 404 body: where a lost client finds what it probably looked for. */
const WHERE_THINGS_ARE =
  "The admin console is at /console/. RPCs (Connect, gRPC, gRPC-web) are POST /gitpod.v1.OrganizationService/<Method>. " +
  "Unleash-style SCIM settings are at /api/admin/scim-settings, SCIM 2.0 is under /scim/v2, health at /healthz and /readyz.";

const RPC_PATH = /^\/[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/;
/** An RPC-shaped path no service has: an RPC to the metrics (so its protocol is counted), but of no procedure. */
const UNKNOWN_PROCEDURE: RouteName = { kind: "rpc", name: "{unmatched}" };

/**
 * What the Connect adapter calls for paths it has no procedure for: the plain HTTP routes, then
 * `unimplemented` in the caller's own protocol for anything shaped like an RPC path, a redirect
 * from / to the console, then 404 with a body that says where things are.
 */
export function createFallback(router: HttpRouter, logger?: Logger) {
  return (req: HttpRequest, res: HttpResponse): void => {
    router.handle(req, res).then(
      (handled) => {
        if (handled) return;
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        if (RPC_PATH.test(path)) unimplemented(req, res, path.slice(1));
        else if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
          // People type the bare address into a browser: send them to the console.
          res.writeHead(302, { location: "/console/", "cache-control": "no-store", "content-length": 0 });
          res.end();
        } else sendJson(res, 404, { error: `nothing at ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`, message: WHERE_THINGS_ARE });
      },
      (err: unknown) => {
        // Routes answer their own errors; one that escapes is a bug, logged with the request id.
        if (logger) requestLogger(requestInfoOf(req), logger).error({ err }, "an HTTP route failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      },
    );
  };
}

function unimplemented(req: HttpRequest, res: HttpResponse, procedure: string): void {
  const info = requestInfoOf(req);
  if (info) info.route = UNKNOWN_PROCEDURE;
  sendProtocolError(req, res, Code.Unimplemented, `${procedure} is not implemented`);
}
