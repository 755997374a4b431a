import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import { sendJson, type HttpRequest, type HttpResponse } from "../http/http-router.js";
import { requestInfoOf } from "../http/request-info.js";

export interface ProtocolErrorOptions {
  /** Extra response headers (e.g. `Allow`, `Connection: close`). */
  headers?: Record<string, string>;
  /**
   * The HTTP status of a Connect JSON answer when it is not the code's own (405 and 415 say
   * more about a wrong method or content type than the 400 of invalid_argument).
   */
  httpStatus?: number;
}

/**
 * Answers an RPC error in the caller's own protocol, for the cases decided before a Connect
 * handler runs (wrong method or content type, no credential, unknown method, shutdown): a
 * trailers-only response with grpc-status for gRPC and gRPC-web clients, Connect's JSON error
 * body for everyone else. The error's metadata (e.g. Retry-After) becomes response headers.
 */
export function sendRpcError(req: HttpRequest, res: HttpResponse, error: ConnectError, options: ProtocolErrorOptions = {}): void {
  const info = requestInfoOf(req);
  if (info) info.code = codeToString(error.code);
  const headers: Record<string, string> = {};
  error.metadata.forEach((value, key) => {
    headers[key] = value;
  });
  Object.assign(headers, options.headers);
  const contentType = String(req.headers["content-type"] ?? "");
  if (contentType.startsWith("application/grpc")) {
    const status = { "grpc-status": String(error.code), "grpc-message": encodeURIComponent(error.rawMessage) };
    if (contentType.startsWith("application/grpc-web") || req.httpVersionMajor !== 2) {
      // gRPC-web (and gRPC misdirected to HTTP/1.1): the status in the response headers.
      res.writeHead(200, { ...headers, "content-type": "application/grpc-web+proto", ...status });
    } else {
      // gRPC over HTTP/2: Node's compatibility layer ends every stream with a trailers frame,
      // so the status must travel there (grpc-go ignores it in headers that do not end the stream).
      res.writeHead(200, { ...headers, "content-type": "application/grpc" });
      res.addTrailers(status);
    }
    res.end();
    return;
  }
  sendJson(res, options.httpStatus ?? codeToHttpStatus(error.code), { code: codeToString(error.code), message: error.rawMessage }, headers);
}

/** sendRpcError for an error without metadata (unknown method, shutdown). */
export function sendProtocolError(req: HttpRequest, res: HttpResponse, code: Code, message: string, headers: Record<string, string> = {}): void {
  sendRpcError(req, res, new ConnectError(message, code), { headers });
}
