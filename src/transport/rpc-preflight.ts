import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import type { HttpRequest } from "../http/http-router.js";
import type { ProtocolErrorOptions } from "./protocol-error.js";

/** A request refused before its body is read, with the HTTP details of the answer. */
export interface Refusal extends ProtocolErrorOptions {
  error: ConnectError;
}

const SEND = "send Content-Type: application/json (Connect JSON) or application/proto (Connect binary); gRPC and gRPC-web clients send application/grpc and application/grpc-web";

/**
 * What connect-es answers with an empty body (405 without Allow, 415) for a request that cannot
 * reach a procedure at all: the wrong HTTP method, a POST without a usable Content-Type, a
 * Connect GET without `encoding`. Here each gets a Connect JSON error that says what to send.
 */
export function preflightRefusal(req: HttpRequest, handler: UniversalHandler): Refusal | undefined {
  const name = handler.method.name;
  const getAllowed = handler.allowedMethods.includes("GET");
  const howToCall = `${name} takes POST (${SEND})${getAllowed ? ", or a Connect GET with ?encoding=json&message=<URL-encoded JSON request>" : ""}`;
  const method = req.method ?? "";
  if (!handler.allowedMethods.includes(method)) {
    return {
      error: new ConnectError(`${howToCall}; got ${method}`, Code.Unimplemented),
      httpStatus: 405,
      headers: { allow: handler.allowedMethods.join(", ") },
    };
  }
  if (method === "GET") {
    const encoding = new URL(req.url ?? "/", "http://localhost").searchParams.get("encoding");
    if (encoding !== "json" && encoding !== "proto") {
      const got = encoding === null ? "no encoding parameter" : `encoding=${encoding}`;
      return { error: new ConnectError(`a Connect GET needs ?encoding=json&message=<URL-encoded JSON request> (got ${got})`, Code.InvalidArgument), httpStatus: 415 };
    }
    return undefined;
  }
  const contentType = String(req.headers["content-type"] ?? "");
  if (!handler.supportedContentType(contentType)) {
    const got = contentType === "" ? "the request has no Content-Type" : `Content-Type ${JSON.stringify(contentType.slice(0, 100))} is not one this service speaks`;
    return { error: new ConnectError(`${got}: ${SEND}`, Code.InvalidArgument), httpStatus: 415 };
  }
  return undefined;
}
