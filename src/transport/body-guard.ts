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
    // The request keeps only a plain record and a function shared by all requests. A closure
    // kept on it held the whole call (response, connect-es's objects) for as long as the
    // request object lived, and finished requests live on in the old generation until a full
    // GC: under the bench's Get load twice the bytes survived each young-generation GC
    // (2.2 MB against 1.0 MB) and a Get cost ~15 us more CPU.
    const watch: Watch = {
      guard: this,
      res,
      push: req.push,
      counted: 0,
      released: false,
      ended: false,
      progress: undefined,
      deadline: setTimeout(onDeadline, this.options.completeWithinMs, req),
    };
    watch.deadline!.unref();
    (req as Watched)[kWatch] = watch;
    req.push = guardedPush;
    res.once("close", () => {
      this.release(watch);
      // HTTP/2: the stream is gone. HTTP/1.1: the answer is out, but a body still arriving holds
      // the connection, so the progress timer keeps watching it until it ends.
      if (req.httpVersionMajor === 2) stop(watch);
      dropResponseWhenDone(watch);
    });
    this.arm(req, watch);
  }

  private arm(req: HttpRequest, watch: Watch): void {
    if (watch.progress !== undefined) {
      watch.progress.refresh();
      return;
    }
    watch.progress = setTimeout(onStall, this.options.progressTimeoutMs, req);
    watch.progress.unref();
  }

  private release(watch: Watch): void {
    if (watch.released) return;
    watch.released = true;
    this.inflight -= watch.counted;
    watch.counted = 0;
  }

  /** Counts a chunk; false when it would take the bodies in flight past the bound. */
  private admit(watch: Watch, size: number): boolean {
    if (watch.released) return true;
    if (this.inflight + size > this.options.maxInflightBytes) return false;
    watch.counted += size;
    this.inflight += size;
    return true;
  }

  /** The end of a watch, however it came: the timers stop and the record lets go of the response. */
  private end(req: HttpRequest, watch: Watch, why?: "timeout" | "busy"): void {
    stop(watch);
    this.release(watch);
    const res = watch.res;
    watch.res = undefined;
    if (why && res) cut(req, res, why);
  }

  /**
   * A chunk Node hands to a watched request (null at the end): what to pass on, or REFUSED.
   * Static, for guardedPush and the timers, which are module functions so that the request
   * keeps no closure (see watch).
   */
  static onChunk(req: HttpRequest, watch: Watch, chunk: unknown): unknown {
    if (chunk === null) {
      stop(watch);
      dropResponseWhenDone(watch);
      return chunk;
    }
    if (watch.ended) return chunk;
    watch.guard.arm(req, watch);
    if (chunk instanceof Uint8Array && chunk.buffer.byteLength > 2 * chunk.byteLength) {
      // Node reads into 64 KiB buffers and hands out slices (an HTTP/2 DATA frame is at most
      // 16 KiB): a kept slice keeps its whole buffer, so held bodies took up to 4 times what
      // they counted. A copy the size of the chunk lets the read buffer go.
      chunk = Buffer.from(chunk);
    }
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
    if (!watch.guard.admit(watch, size)) {
      watch.guard.end(req, watch, "busy");
      return REFUSED;
    }
    return chunk;
  }

  /** A watched request's progress (`stalled`) or completion deadline has passed. */
  static onTimeout(req: HttpRequest, watch: Watch, stalled: boolean): void {
    if (watch.ended) return;
    // Unread bytes wait for the handler, not for the client: not the client's stall.
    if (stalled && req.readableLength > 0) return watch.guard.arm(req, watch);
    watch.guard.end(req, watch, "timeout");
  }
}

const kWatch = Symbol("body watch");
const REFUSED = Symbol("refused");

interface Watch {
  readonly guard: BodyGuard;
  /** Until the watch ends (then dropped, so a finished request holds nothing of its call). */
  res: ServerResponse | Http2ServerResponse | undefined;
  /** The request's own push (its prototype's): the function, not a bound copy. */
  readonly push: HttpRequest["push"];
  counted: number;
  released: boolean;
  ended: boolean;
  progress: NodeJS.Timeout | undefined;
  deadline: NodeJS.Timeout | undefined;
}

type Watched = HttpRequest & { [kWatch]?: Watch };

/** Installed as the push of every watched request: one function for all, its state on the request. */
function guardedPush(this: Watched, chunk: unknown, encoding?: BufferEncoding): boolean {
  const watch = this[kWatch]!;
  const passed = BodyGuard.onChunk(this, watch, chunk);
  if (passed === REFUSED) return false;
  return watch.push.call(this, passed as Buffer | null, encoding);
}

function onStall(req: Watched): void {
  BodyGuard.onTimeout(req, req[kWatch]!, true);
}

function onDeadline(req: Watched): void {
  BodyGuard.onTimeout(req, req[kWatch]!, false);
}

function stop(watch: Watch): void {
  watch.ended = true;
  clearTimeout(watch.progress);
  clearTimeout(watch.deadline);
  watch.progress = undefined;
  watch.deadline = undefined;
}

/**
 * The record lets go of the response once the body has ended and the response has closed,
 * whichever comes second (a timeout or refusal before that drops it in BodyGuard.end).
 */
function dropResponseWhenDone(watch: Watch): void {
  if (watch.ended && watch.released) watch.res = undefined;
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
