import { Code } from "@connectrpc/connect";
import { codeFromString, codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { bodyTooLargeMessage } from "./body-limit.js";

/** A corrected error: what connect-es answered is replaced by this. */
export interface RewrittenError {
  code: Code;
  message: string;
}

/**
 * The errors connect-es words for its own maintainers rather than for the caller, found by code
 * and message, and what each becomes:
 * - a body that is not valid protobuf binary is `internal` ("parse binary: ..."), where JSON that
 *   does not parse is `invalid_argument`: a malformed request is the client's mistake;
 * - an oversized body says "configured readMaxBytes 1048576": say "request body larger than 1 MiB".
 */
export function createErrorRewriter(readMaxBytes: number): (code: Code, message: string) => RewrittenError | undefined {
  return (code, message) => {
    if (code === Code.Internal && message.startsWith(PARSE_BINARY)) {
      return { code: Code.InvalidArgument, message: `request body is not a valid protobuf message (${message.slice(PARSE_BINARY.length).trim()})` };
    }
    if (code === Code.ResourceExhausted && message.includes("configured readMaxBytes")) {
      return { code, message: bodyTooLargeMessage(readMaxBytes) };
    }
    return undefined;
  };
}

const PARSE_BINARY = "parse binary:";

type Rewriter = ReturnType<typeof createErrorRewriter>;
/** Told the code a response ends with (after any rewrite), where the response is read for it anyway. */
type CodeSeen = (code: Code) => void;

/**
 * Applies the rewriter to a response in whichever protocol it is: a Connect JSON error body, the
 * grpc-status trailer of gRPC, or the trailer frame that ends a gRPC-web body. Success responses
 * pass through untouched (only an error's small body is buffered). `seen` learns the final code
 * wherever one is read (every gRPC and gRPC-web answer, Connect JSON errors).
 */
export function rewriteErrors(res: UniversalServerResponse, rewrite: Rewriter, seen?: CodeSeen): UniversalServerResponse | Promise<UniversalServerResponse> {
  const contentType = res.header?.get("content-type") ?? "";
  if (contentType.startsWith("application/grpc-web")) return { ...res, body: res.body && rewriteGrpcWebTrailer(res.body, rewrite, seen) };
  if (contentType.startsWith("application/grpc")) return { ...res, body: res.body && rewriteGrpcTrailer(res.body, res, rewrite, seen) };
  // Only an error's body is read; a success passes through without a promise of its own.
  if (res.status >= 400 && contentType.startsWith("application/json") && res.body) return rewriteConnectError(res, res.body, rewrite, seen);
  return res;
}

async function rewriteConnectError(res: UniversalServerResponse, body: AsyncIterable<Uint8Array>, rewrite: Rewriter, seen?: CodeSeen): Promise<UniversalServerResponse> {
  const bytes = await collect(body);
  try {
    const error = JSON.parse(new TextDecoder().decode(bytes)) as { code?: string; message?: string };
    const code = typeof error.code === "string" ? codeFromString(error.code) : undefined;
    const fixed = code === undefined ? undefined : rewrite(code, error.message ?? "");
    if (code !== undefined) seen?.(fixed?.code ?? code);
    if (fixed) {
      const encoded = new TextEncoder().encode(JSON.stringify({ code: codeToString(fixed.code), message: fixed.message }));
      res.header?.set("content-length", String(encoded.byteLength));
      return { ...res, status: codeToHttpStatus(fixed.code), body: once(encoded) };
    }
  } catch {
    /* not a Connect error body: pass it on unchanged */
  }
  return { ...res, body: once(bytes) };
}

function rewriteGrpcTrailer(body: AsyncIterable<Uint8Array>, res: UniversalServerResponse, rewrite: Rewriter, seen?: CodeSeen): AsyncIterable<Uint8Array> {
  // Trailers are filled in while the body is produced, and written after it: fixed when the body ends.
  return afterLast(body, () => {
    const fixed = fromStatus(res.trailer?.get("grpc-status"), res.trailer?.get("grpc-message"), rewrite, seen);
    if (fixed && res.trailer) {
      res.trailer.set("grpc-status", String(fixed.code));
      res.trailer.set("grpc-message", encodeURIComponent(fixed.message));
    }
  });
}

/**
 * The same chunks, with `atEnd` run once the body is done and before its end is reported. A
 * plain iterator rather than an async generator with `yield*`, which costs a generator and
 * extra promises on every gRPC call.
 */
function afterLast(body: AsyncIterable<Uint8Array>, atEnd: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const it = body[Symbol.asyncIterator]();
      return {
        next: () =>
          it.next().then((r) => {
            if (r.done) atEnd();
            return r;
          }),
        return: (value?: unknown) => it.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
        throw: (err?: unknown) => it.throw?.(err) ?? Promise.reject(err),
      };
    },
  };
}

async function* rewriteGrpcWebTrailer(body: AsyncIterable<Uint8Array>, rewrite: Rewriter, seen?: CodeSeen): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    // The trailer is the envelope with flag 0x80; its payload is "name: value\r\n" lines.
    if (chunk.byteLength > 5 && chunk[0] === 0x80) {
      const text = new TextDecoder().decode(chunk.subarray(5));
      const fixed = fromStatus(/grpc-status: *(\d+)/i.exec(text)?.[1], /grpc-message: *([^\r\n]*)/i.exec(text)?.[1], rewrite, seen);
      if (fixed) {
        const payload = new TextEncoder().encode(`grpc-status: ${fixed.code}\r\ngrpc-message: ${encodeURIComponent(fixed.message)}\r\n`);
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

function fromStatus(status: string | null | undefined, message: string | null | undefined, rewrite: Rewriter, seen?: CodeSeen): RewrittenError | undefined {
  if (status === null || status === undefined || !/^\d+$/.test(status)) return undefined;
  let text = message ?? "";
  try {
    text = decodeURIComponent(text);
  } catch {
    /* not percent-encoded after all: compare it as it is */
  }
  const fixed = rewrite(Number(status) as Code, text);
  seen?.(fixed?.code ?? (Number(status) as Code));
  return fixed;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
