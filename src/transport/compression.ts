import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { describeBytes } from "./body-limit.js";

/**
 * connect-node's gzip and brotli, with their failures worded for the client. connect-node
 * reports a truncated stream (zlib's Z_BUF_ERROR, "unexpected end of file") as `internal`,
 * a 500 that clients such as the Python SDK retry; a body that does not decompress is the
 * client's mistake, so every such failure is `invalid_argument` here, in every protocol
 * (unary bodies and gRPC message envelopes both decompress through these objects).
 */
export function clientErrorCompressions(readMaxBytes: number): Compression[] {
  return [compressionGzip, compressionBrotli].map((c) => withClientErrors(c, readMaxBytes));
}

function withClientErrors(inner: Compression, readMaxBytes: number): Compression {
  return {
    name: inner.name,
    compress: (bytes) => inner.compress(bytes),
    async decompress(bytes, maxBytes) {
      try {
        return await inner.decompress(bytes, maxBytes);
      } catch (err) {
        const cause = ConnectError.from(err).cause;
        const zlibCode = (cause as { code?: unknown } | undefined)?.code;
        if (zlibCode === "ERR_BUFFER_TOO_LARGE") {
          throw new ConnectError(`request body larger than ${describeBytes(readMaxBytes)} after decompression`, Code.ResourceExhausted);
        }
        const detail = cause instanceof Error ? `: ${cause.message}` : "";
        throw new ConnectError(`the request body is not valid ${inner.name} data${detail}`, Code.InvalidArgument);
      }
    },
  };
}
