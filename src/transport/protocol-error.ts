import { Code } from "@connectrpc/connect";
import { sendJson, type HttpRequest, type HttpResponse } from "../http/http-router.js";

/** Connect's HTTP status for each code that is answered outside the Connect handlers. */
const HTTP_STATUS: Partial<Record<Code, number>> = { [Code.Unimplemented]: 501, [Code.Unavailable]: 503 };

/**
 * Answers an RPC error in the caller's own protocol, for the few cases decided before a Connect
 * handler runs (unknown method, shutdown): a trailers-only response with grpc-status for gRPC
 * and gRPC-web clients, Connect's JSON error body for everyone else.
 */
export function sendProtocolError(req: HttpRequest, res: HttpResponse, code: Code.Unimplemented | Code.Unavailable, message: string, headers: Record<string, string> = {}): void {
  const contentType = String(req.headers["content-type"] ?? "");
  if (contentType.startsWith("application/grpc")) {
    res.writeHead(200, {
      ...headers,
      "content-type": contentType.startsWith("application/grpc-web") ? "application/grpc-web+proto" : "application/grpc",
      "grpc-status": String(code),
      "grpc-message": encodeURIComponent(message),
    });
    res.end();
    return;
  }
  const name = code === Code.Unimplemented ? "unimplemented" : "unavailable";
  sendJson(res, HTTP_STATUS[code]!, { code: name, message }, headers);
}
