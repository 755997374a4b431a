import type { ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { HttpRequest } from "../http/http-router.js";

export interface BodyGuardOptions {
  /** A request body that makes no progress for this long is cut (408 on HTTP/1.1, RST_STREAM(CANCEL) on HTTP/2). */
  progressTimeoutMs: number;
  /** A body must be complete within this long of its request's arrival, however it trickles. */
  completeWithinMs: number;
  /** Bytes of request bodies the process holds at once; a chunk that would pass it gets its request refused. */
  maxInflightBytes: number;
}

/**
 * Bounds what request bodies can hold, for every request of either HTTP version, before any
 * handler sees them. Found: one h2c connection with 256 POST streams, each sending ~1 MiB and
 * never ending, took the process from 74 to 338 MiB and kept it, with no stream ever closed.
 *
 * - Progress: a body that receives nothing for `progressTimeoutMs` is cut: HTTP/1.1 answers
 *   408 and closes the connection (as Node does for its own request timeout), HTTP/2 resets the
 *   stream with CANCEL. A body that waits because the handler is not reading it yet is the
 *   server's doing, not the client's, and is not cut. A body that trickles (a byte now and then)
 *   is cut the same way once `completeWithinMs` has passed; Node does that for HTTP/1.1
 *   (requestTimeout), nothing did for HTTP/2.
 * - Memory: the bytes of all bodies received and not yet answered are counted; a chunk that
 *   would take the total past `maxInflightBytes` refuses its request instead of being kept:
 *   HTTP/1.1 answers 503 with Retry-After and closes, HTTP/2 resets the stream with
 *   REFUSED_STREAM (the request was not processed; gRPC clients see UNAVAILABLE and may retry).
 *
 * The bytes are observed where Node hands them to the request (its `push`), which both HTTP/1.1
 * and the HTTP/2 compatibility layer call for each chunk and with null at the end; listening for
 * 'data' instead would consume the body in place of the handler.
 */
export class BodyGuard {
  private inflight = 0;

  constructor(private readonly options: BodyGuardOptions) {}

  /** Bytes of request bodies held now (for tests and metrics). */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** Watches one request's body from now until it ends or its response closes. */
  watch(req: HttpRequest, res: ServerResponse | Http2ServerResponse): void {
    if (req.complete) return;
    let counted = 0;
    let released = false;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      if (ended) return;
      stop();
      release();
      cut(req, res, "timeout");
    }, this.options.completeWithinMs);
    deadline.unref();
    const release = () => {
      if (released) return;
      released = true;
      this.inflight -= counted;
      counted = 0;
    };
    const stop = () => {
      ended = true;
      clearTimeout(timer);
      clearTimeout(deadline);
    };
    const arm = () => {
      if (timer !== undefined) {
        timer.refresh();
        return;
      }
      timer = setTimeout(onStall, this.options.progressTimeoutMs);
      timer.unref();
    };
    const onStall = () => {
      if (ended) return;
      // Unread bytes wait for the handler, not for the client: not the client's stall.
      if (req.readableLength > 0) return arm();
      stop();
      release();
      cut(req, res, "timeout");
    };
    const push = req.push.bind(req);
    req.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk === null) {
        stop();
        return push(chunk, encoding);
      }
      if (ended) return push(chunk, encoding);
      arm();
      if (chunk instanceof Uint8Array && chunk.buffer.byteLength > 2 * chunk.byteLength) {
        // Node reads into 64 KiB buffers and hands out slices (an HTTP/2 DATA frame is at most
        // 16 KiB): a kept slice keeps its whole buffer, so held bodies took up to 4 times what
        // they counted. A copy the size of the chunk lets the read buffer go.
        chunk = Buffer.from(chunk);
      }
      const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      if (!released) {
        if (this.inflight + size > this.options.maxInflightBytes) {
          stop();
          release();
          cut(req, res, "busy");
          return false;
        }
        counted += size;
        this.inflight += size;
      }
      return push(chunk, encoding);
    };
    res.once("close", () => {
      release();
      // HTTP/2: the stream is gone. HTTP/1.1: the answer is out, but a body still arriving holds
      // the connection, so the progress timer keeps watching it until it ends.
      if (req.httpVersionMajor === 2) stop();
    });
    arm();
  }
}

function cut(req: HttpRequest, res: ServerResponse | Http2ServerResponse, why: "timeout" | "busy"): void {
  if (req.httpVersionMajor === 2) {
    const stream = (req as Http2ServerRequest).stream;
    if (!stream.destroyed) stream.close(why === "timeout" ? http2.constants.NGHTTP2_CANCEL : http2.constants.NGHTTP2_REFUSED_STREAM);
    return;
  }
  const socket = req.socket;
  if (socket.destroyed) return;
  // Written to the socket like Node's own 408, so that whatever the handler writes later goes
  // nowhere instead of racing this answer.
  if (!res.headersSent && socket.writable) {
    socket.write(
      why === "timeout"
        ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        : "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
  }
  socket.destroySoon();
}
