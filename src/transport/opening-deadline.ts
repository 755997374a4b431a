import type { Socket } from "node:net";

const kOpeningDeadline = Symbol("opening deadline");
const kSpeaksHttp1 = Symbol("speaks HTTP/1.1");
type WithDeadline = { [kOpeningDeadline]?: NodeJS.Timeout; [kSpeaksHttp1]?: boolean };

/**
 * A new connection gets a fixed time to open: from its arrival (cleartext) or the end of its TLS
 * handshake, until its first HTTP/1.1 request has all its headers or its HTTP/2 client has sent
 * the preface and SETTINGS. The time does not restart on each byte: a client that sent the
 * 24-byte HTTP/2 preface one byte a second held a connection 22 s on a 1 s setting, and over TLS
 * nothing bounded a connection that went quiet after the handshake.
 *
 * The timer lives on the socket itself (a symbol property) so that it can be found from an
 * HTTP/2 session, whose `socket` is a proxy that reads through to the socket's properties.
 */
export function armOpeningDeadline(socket: Socket, timeoutMs: number): void {
  const timer = setTimeout(() => {
    // An HTTP/1.1 client stuck in its first request's headers learns why, as Node answers later ones.
    if ((socket as Socket & WithDeadline)[kSpeaksHttp1] && socket.writable) socket.end("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    socket.destroy();
  }, timeoutMs);
  timer.unref();
  (socket as Socket & WithDeadline)[kOpeningDeadline] = timer;
  socket.once("close", () => clearTimeout(timer));
}

/** The connection goes to the HTTP/1.1 server: its opening deadline answers 408 before it closes. */
export function speaksHttp1(socket: Socket): void {
  (socket as Socket & WithDeadline)[kSpeaksHttp1] = true;
}

/** The connection has opened (first request or HTTP/2 SETTINGS): its opening deadline ends. */
export function connectionOpened(socket: object | undefined | null): void {
  const timer = (socket as WithDeadline | undefined)?.[kOpeningDeadline];
  if (timer !== undefined) {
    clearTimeout(timer);
    (socket as WithDeadline)[kOpeningDeadline] = undefined;
  }
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * Reads just enough of a new cleartext connection to tell the HTTP/2 preface from HTTP/1.x. It
 * sets no timer of its own: the opening deadline armed on arrival bounds it.
 */
export function sniff(socket: Socket, decide: (isHttp2: boolean, head: Buffer) => void): void {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const n = Math.min(head.length, PREFACE.length);
    const prefixMatches = head.subarray(0, n).equals(PREFACE.subarray(0, n));
    if (prefixMatches && head.length < PREFACE.length) return; // need more bytes
    socket.off("data", onData);
    decide(prefixMatches, head);
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}
