import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createConnectRouter, createContextValues, type ConnectRouter, type ConnectRouterOptions, type ContextValues } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { sendJson, type HttpRequest, type HttpResponse, type RequestHandler } from "../http/http-router.js";
import { requestInfoOf, requestLogger, type RouteName } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import { clientErrorCompressions } from "./compression.js";
import { checkConnectJsonRequest, type JsonRequestCheck } from "./connect-json-request.js";
import { capDeadlineHeaders } from "./deadline-headers.js";
import { createErrorRewriter, rewriteErrors } from "./error-rewrites.js";
import { sendRpcError } from "./protocol-error.js";
import { universalRequestOf } from "./universal-request.js";
import { requestTargetProblem } from "./request-target.js";
import { preflightRefusal, type Refusal } from "./rpc-preflight.js";

/**
 * Decides from the request's headers alone whether the caller may call the method, before any
 * of its body is read. On success it puts what it learned (the principal) into `values` and
 * resolves undefined; otherwise it resolves the error to answer.
 */
export type Admission = (req: HttpRequest, method: DescMethod, values: ContextValues) => Promise<ConnectError | undefined>;

export interface NodeHandlerOptions extends Omit<ConnectRouterOptions, "readMaxBytes" | "maxTimeoutMs"> {
  /** Registers the procedures. */
  routes: (router: ConnectRouter) => void;
  /** Serves every path that is not a procedure. */
  fallback: RequestHandler;
  /** Per-request context values (e.g. from the raw request). */
  contextValues?: (req: HttpRequest) => ContextValues;
  /** Authenticates from the headers, before the body is read; unset: every call is admitted. */
  admit?: Admission;
  /** Checks Connect JSON requests before protobuf-es parses them; unset: no check. */
  checkJsonRequest?: JsonRequestCheck;
  /** Largest request body (after decompression), in bytes. */
  readMaxBytes: number;
  /** Longest deadline a client may ask for; longer ones, and 0, are capped to it. */
  maxTimeoutMs: number;
  logger: Logger;
}

/**
 * connect-node's adapter, with what happens before connect-es sees a request and after it
 * answers: a malformed request target is refused; a wrong HTTP method or content type gets an
 * answer that says what to send; the credential is checked from the headers, so a caller
 * without one never makes the server buffer a body; deadlines are capped; Connect JSON is
 * checked field by field; and errors that connect-es words for its maintainers are reworded.
 */
export function createNodeHandler(options: NodeHandlerOptions): RequestHandler {
  const compressions = options.acceptCompression ?? clientErrorCompressions(options.readMaxBytes);
  const router = createConnectRouter({ ...options, acceptCompression: compressions });
  options.routes(router);
  const paths = new Map<string, UniversalHandler>(router.handlers.map((h) => [h.requestPath, h]));
  // The procedure names the metrics label calls with, made once ("gitpod.v1.OrganizationService/GetSCIMConfiguration").
  const names = new Map<string, RouteName>(router.handlers.map((h) => [h.requestPath, { kind: "rpc", name: h.requestPath.slice(1) }]));
  const rewriter = createErrorRewriter(options.readMaxBytes);

  async function serve(req: HttpRequest, res: HttpResponse & Parameters<RequestHandler>[1], handler: UniversalHandler): Promise<void> {
    const early = preflightRefusal(req, handler);
    if (early) return refuse(req, res, early);
    const values = options.contextValues?.(req) ?? createContextValues();
    const denied = await options.admit?.(req, handler.method, values);
    if (denied) return refuse(req, res, { error: denied });

    let uReq = universalRequestOf(req, res, values);
    capDeadlineHeaders(uReq.header, options.maxTimeoutMs);
    if (options.checkJsonRequest) {
      const checked = await checkConnectJsonRequest(uReq, handler, { check: options.checkJsonRequest, readMaxBytes: options.readMaxBytes, compressions });
      if (checked instanceof ConnectError) return refuse(req, res, { error: checked });
      uReq = checked;
    }
    // Errors connect-es answers before any interceptor runs (a body that does not parse, a
    // deadline) reach the access log and the metrics through the code seen here.
    const info = requestInfoOf(req);
    const rewritten = rewriteErrors(await handler(uReq), rewriter, info && ((code) => (info.code ??= codeToString(code))));
    const uRes = rewritten instanceof Promise ? await rewritten : rewritten;
    // connect-es answers an oversized body before reading it; the rest is never read either.
    if (req.httpVersionMajor === 1 && !req.complete) (uRes.header ??= new Headers()).set("connection", "close");
    await universalResponseToNodeResponse(uRes, res);
  }

  return (req, res) => {
    const problem = requestTargetProblem(req);
    if (problem !== undefined) {
      sendJson(res, 400, { error: problem }, req.httpVersionMajor === 1 ? { connection: "close" } : {});
      return;
    }
    const path = req.url?.split("?", 1)[0] ?? "";
    const handler = paths.get(path);
    if (!handler) return options.fallback(req, res);
    const info = requestInfoOf(req);
    if (info) info.route = names.get(path);
    serve(req, res, handler).catch((reason: unknown) => {
      const code = ConnectError.from(reason).code;
      // The client went away (or aborted the stream): nobody is left to answer.
      if (code === Code.Aborted || code === Code.Canceled) return;
      requestLogger(info, options.logger).error({ err: reason, procedure: handler.requestPath }, "rpc handler failed");
      if (!res.headersSent) sendRpcError(req, res, new ConnectError("internal error", Code.Internal));
      else res.end();
    });
  };
}

/**
 * Answers a refusal in the caller's protocol. An HTTP/1.1 request whose body was not read (or
 * not to its end) also gets `Connection: close`: the rest of that body is never read either.
 */
function refuse(req: HttpRequest, res: HttpResponse, refusal: Refusal): void {
  const unread = req.httpVersionMajor === 1 && !req.complete;
  sendRpcError(req, res, refusal.error, { ...refusal, headers: { ...refusal.headers, ...(unread ? { connection: "close" } : {}) } });
}
