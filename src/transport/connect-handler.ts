import { Code, ConnectError, createConnectRouter, type ConnectRouter, type ContextValues } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { ConnectRouterOptions } from "@connectrpc/connect";
import type { Logger } from "../logging/logger.js";
import type { HttpRequest } from "../http/http-router.js";
import type { RequestHandler } from "../http/http-router.js";

export interface NodeHandlerOptions extends ConnectRouterOptions {
  /** Registers the procedures. */
  routes: (router: ConnectRouter) => void;
  /** Serves every path that is not a procedure. */
  fallback: RequestHandler;
  /** Per-request context values (e.g. from the raw request). */
  contextValues?: (req: HttpRequest) => ContextValues;
  logger: Logger;
}

/**
 * connect-node's adapter, plus one correction: connect-es reports a request body that is not
 * valid protobuf binary as `internal` ("parse binary: ..."), where JSON that does not parse is
 * `invalid_argument`. A malformed request is the client's mistake, so it must be
 * `invalid_argument` in every protocol; this rewrites exactly that error, nothing else.
 */
export function createNodeHandler(options: NodeHandlerOptions): RequestHandler {
  options.acceptCompression ??= [compressionGzip, compressionBrotli];
  const router = createConnectRouter(options);
  options.routes(router);
  const paths = new Map<string, UniversalHandler>(router.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const handler = paths.get(req.url?.split("?", 1)[0] ?? "");
    if (!handler) return options.fallback(req, res);
    const uReq = universalRequestFromNodeRequest(req, res, undefined, options.contextValues?.(req));
    handler(uReq)
      .then(reportParseErrorsAsInvalidArgument)
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.logger.error({ err: reason, procedure: handler.requestPath }, "rpc handler failed");
      });
  };
}

const PARSE_BINARY = "parse binary:";

async function reportParseErrorsAsInvalidArgument(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  const contentType = res.header?.get("content-type") ?? "";
  if (contentType.startsWith("application/grpc-web")) return { ...res, body: res.body && rewriteGrpcWebTrailer(res.body) };
  if (contentType.startsWith("application/grpc")) return { ...res, body: res.body && rewriteGrpcTrailer(res.body, res) };
  if (res.status === 500 && contentType.startsWith("application/json") && res.body) {
    const bytes = await collect(res.body);
    const text = new TextDecoder().decode(bytes);
    try {
      const error = JSON.parse(text) as { code?: string; message?: string };
      if (error.code === "internal" && error.message?.startsWith(PARSE_BINARY)) {
        const body = new TextEncoder().encode(JSON.stringify({ code: "invalid_argument", message: invalidMessage(error.message) }));
        res.header?.set("content-length", String(body.byteLength));
        return { ...res, status: 400, body: once(body) };
      }
    } catch {
      /* not a Connect error body: pass it on unchanged */
    }
    return { ...res, body: once(bytes) };
  }
  return res;
}

const invalidMessage = (message: string) => `request body is not a valid protobuf message (${message.slice(PARSE_BINARY.length).trim()})`;

async function* rewriteGrpcTrailer(body: AsyncIterable<Uint8Array>, res: UniversalServerResponse): AsyncIterable<Uint8Array> {
  yield* body;
  // Trailers are filled in while the body is produced, and written after it.
  const message = decodeURIComponent(res.trailer?.get("grpc-message") ?? "");
  if (res.trailer?.get("grpc-status") === String(Code.Internal) && message.startsWith(PARSE_BINARY)) {
    res.trailer.set("grpc-status", String(Code.InvalidArgument));
    res.trailer.set("grpc-message", encodeURIComponent(invalidMessage(message)));
  }
}

async function* rewriteGrpcWebTrailer(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    // The trailer is the envelope with flag 0x80; its payload is "name: value\r\n" lines.
    if (chunk.byteLength > 5 && chunk[0] === 0x80) {
      const text = new TextDecoder().decode(chunk.subarray(5));
      const status = /grpc-status: *(\d+)/i.exec(text)?.[1];
      const message = decodeURIComponent(/grpc-message: *([^\r\n]*)/i.exec(text)?.[1] ?? "");
      if (status === String(Code.Internal) && message.startsWith(PARSE_BINARY)) {
        const fixed = `grpc-status: ${Code.InvalidArgument}\r\ngrpc-message: ${encodeURIComponent(invalidMessage(message))}\r\n`;
        const payload = new TextEncoder().encode(fixed);
        const envelope = new Uint8Array(5 + payload.byteLength);
        envelope[0] = 0x80;
        new DataView(envelope.buffer).setUint32(1, payload.byteLength);
        envelope.set(payload, 5);
        yield envelope;
        continue;
      }
    }
    yield chunk;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
