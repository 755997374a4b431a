import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import net, { type AddressInfo, type Socket } from "node:net";
import tls from "node:tls";
import { Code } from "@connectrpc/connect";
import type { HttpRequest, HttpResponse, RequestHandler } from "../http/http-router.js";
import { BodyGuard } from "./body-guard.js";
import { armOpeningDeadline, connectionOpened, sniff, speaksHttp1 } from "./opening-deadline.js";
import { sendProtocolError } from "./protocol-error.js";

export interface ListenerOptions {
  /** Interface to bind, e.g. 0.0.0.0 or 127.0.0.1. */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** With a certificate and key: TLS, with ALPN offering h2 and http/1.1. */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** Serves every request, HTTP/1.1 or HTTP/2. */
  handler: RequestHandler;
  /**
   * Time a client gets to send a request's headers; a new connection gets it to open (TLS: the
   * handshake, then again the first request's headers or HTTP/2 preface and SETTINGS).
   */
  headersTimeoutMs?: number;
  /** Idle keep-alive connections and HTTP/2 sessions are closed after this long (GOAWAY; cut after as long again). */
  idleTimeoutMs?: number;
  /** A request body that makes no progress for this long is cut (408 / RST_STREAM). */
  bodyTimeoutMs?: number;
  /** A whole request must arrive within this long (HTTP/1.1: Node's requestTimeout; HTTP/2: its body). */
  requestTimeoutMs?: number;
  /** Bytes of request bodies held at once; beyond, requests are refused (503 / REFUSED_STREAM). */
  maxInflightBodyBytes?: number;
  /** Concurrent streams per HTTP/2 connection. */
  http2MaxConcurrentStreams?: number;
  /** Open connections at once; more are closed on arrival. */
  maxConnections?: number;
}

export interface Listener {
  readonly address: AddressInfo;
  readonly protocols: string[];
  /** Open client connections now: HTTP/2 sessions, and every other connection (HTTP/1.1 or not yet sniffed). */
  connectionCounts(): { http1: number; http2: number };
  /** Refuses new calls at once, lets in-flight ones finish for up to graceMs, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

/**
 * One port for HTTP/1.1 and HTTP/2. Without TLS there is no ALPN, so the first bytes decide: the
 * HTTP/2 connection preface goes to an http2 server (prior knowledge, as gRPC clients speak),
 * anything else to an HTTP/1.1 server. With TLS, ALPN decides, and the decrypted connection goes
 * to the same two servers, so that both paths share every timeout and limit.
 */
export async function startListener(options: ListenerOptions): Promise<Listener> {
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  // Node refuses a headersTimeout above requestTimeout.
  const requestTimeoutMs = Math.max(options.requestTimeoutMs ?? 60_000, headersTimeoutMs);
  const bodies = new BodyGuard({
    progressTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    completeWithinMs: requestTimeoutMs,
    maxInflightBytes: options.maxInflightBodyBytes ?? 64 * 1024 * 1024,
  });
  let draining = false;
  const handler: RequestHandler = (req, res) => {
    if (req.httpVersionMajor === 1) connectionOpened(req.socket);
    if (draining) return refuseWhileDraining(req, res);
    bodies.watch(req, res);
    if (req.httpVersionMajor === 2) stopUploadOnceAnswered(req as http2.Http2ServerRequest);
    options.handler(req, res);
  };

  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  const h1 = http.createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: 5_000,
      // Node checks the two timeouts above only this often (default 30 s), so a slow-headers
      // client could otherwise hold a connection three times longer than headersTimeout.
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
    handler,
  );
  // This server never listens itself (connections are handed to it), and Node starts the timer
  // that enforces headersTimeout and requestTimeout only on "listening": without this, a client
  // that stalls in the middle of its headers holds the connection forever.
  h1.emit("listening");
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: options.http2MaxConcurrentStreams ?? 100 } }, handler);

  let tcp: net.Server;
  if (options.tls) {
    const secure = tls.createServer({
      cert: readFileSync(options.tls.certFile),
      key: readFileSync(options.tls.keyFile),
      ALPNProtocols: ["h2", "http/1.1"],
      // Measured on Node 20: counted from arrival, not restarted by each byte of the handshake.
      handshakeTimeout: headersTimeoutMs,
    });
    secure.on("connection", track);
    // Node reports a handshake that timed out here and, with a listener, leaves the socket open.
    secure.on("tlsClientError", (_err, socket) => socket.destroy());
    secure.on("secureConnection", (socket: tls.TLSSocket) => {
      track(socket);
      armOpeningDeadline(socket, headersTimeoutMs);
      // No ALPN (or http/1.1) is HTTP/1.1, as with createSecureServer's allowHTTP1.
      if (socket.alpnProtocol === "h2") {
        h2.emit("connection", socket);
      } else {
        speaksHttp1(socket);
        h1.emit("connection", socket);
      }
    });
    tcp = secure;
  } else {
    tcp = net.createServer((socket) => {
      track(socket);
      armOpeningDeadline(socket, headersTimeoutMs);
      sniff(socket, (isHttp2, head) => {
        socket.pause();
        socket.unshift(head);
        if (isHttp2) {
          // No resume(): the http2 session reads the unshifted bytes itself and then switches to
          // the native handle; resuming here would hand those bytes to nobody.
          h2.emit("connection", socket);
        } else {
          speaksHttp1(socket);
          h1.emit("connection", socket);
          socket.resume();
        }
      });
    });
  }
  // Beyond this, Node closes new connections as they arrive.
  tcp.maxConnections = options.maxConnections ?? 1000;
  // TCP connections, counted once each (`sockets` holds a TLS connection twice: raw and decrypted).
  let open = 0;
  tcp.on("connection", (socket: Socket) => {
    open++;
    socket.once("close", () => open--);
  });
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("remoteSettings", () => connectionOpened(session.socket));
    closeWhenIdle(session, idleTimeoutMs);
    session.once("close", () => sessions.delete(session));
  });
  h2.on("sessionError", () => {
    /* a broken client session is that client's problem; the session is destroyed by Node */
  });
  tcp.on("error", () => undefined);

  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(options.port, options.host, () => {
      tcp.off("error", reject);
      resolve();
    });
  });

  return {
    address: tcp.address() as AddressInfo,
    protocols: options.tls ? ["HTTP/1.1 (TLS)", "HTTP/2 (TLS, ALPN)"] : ["HTTP/1.1", "HTTP/2 cleartext (prior knowledge)"],
    connectionCounts: () => ({ http1: Math.max(0, open - sessions.size), http2: sessions.size }),
    async close(graceMs: number) {
      draining = true;
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const session of sessions) session.close(); // GOAWAY: open streams may finish
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) {
        h1?.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const socket of sockets) socket.destroy();
      h1?.close(() => undefined); // stops the timeout-checking timer started above
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}

/**
 * An HTTP/2 answer can come before the client has sent its whole body (an oversized message is
 * refused at once). The stream then stays open, half-closed, until the client gives up; per RFC
 * 9113 section 8.1 the server ends it with RST_STREAM(NO_ERROR) so the client stops sending.
 */
function stopUploadOnceAnswered(req: http2.Http2ServerRequest): void {
  // The compatibility layer ends every response through wantTrailers (sending gRPC's status
  // there); this listener runs after its own, so the trailers are out when the reset goes.
  req.stream.once("wantTrailers", () =>
    setImmediate(() => {
      if (!req.complete && !req.stream.destroyed) req.stream.close(http2.constants.NGHTTP2_NO_ERROR);
    }),
  );
}

/**
 * An idle session gets a GOAWAY, which lets its open streams finish; one that is still there after
 * as long again is destroyed. Without the second step a session whose streams stall (a body that
 * never ends, a client that reads nothing) was never closed.
 */
function closeWhenIdle(session: http2.ServerHttp2Session, idleTimeoutMs: number): void {
  session.setTimeout(idleTimeoutMs, () => {
    if (session.closed) return;
    session.close();
    const cut = setTimeout(() => session.destroy(), idleTimeoutMs);
    cut.unref();
    session.once("close", () => clearTimeout(cut));
  });
}

/** New calls during shutdown: 503 / gRPC UNAVAILABLE, so clients retry elsewhere. */
function refuseWhileDraining(req: HttpRequest, res: HttpResponse): void {
  sendProtocolError(req, res, Code.Unavailable, "server is shutting down", req.httpVersionMajor === 1 ? { connection: "close" } : {});
}
