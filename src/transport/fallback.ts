import type { HttpRequest, HttpResponse, HttpRouter } from "../http/http-router.js";
import { sendJson } from "../http/http-router.js";
import { sendProtocolError } from "./protocol-error.js";
import { Code } from "@connectrpc/connect";

const RPC_PATH = /^\/[A-Za-z_][\w.]*\.[A-Za-z_]\w*\/[A-Za-z_]\w*$/;

/**
 * What the Connect adapter calls for paths it has no procedure for: the plain HTTP routes, then
 * `unimplemented` in the caller's own protocol for anything shaped like an RPC path, then 404.
 */
export function createFallback(router: HttpRouter) {
  return (req: HttpRequest, res: HttpResponse): void => {
    router.handle(req, res).then(
      (handled) => {
        if (handled) return;
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        if (RPC_PATH.test(path)) unimplemented(req, res, path.slice(1));
        else sendJson(res, 404, { error: "not found" });
      },
      () => {
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      },
    );
  };
}

function unimplemented(req: HttpRequest, res: HttpResponse, procedure: string): void {
  sendProtocolError(req, res, Code.Unimplemented, `${procedure} is not implemented`);
}
