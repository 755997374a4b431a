import http from "node:http";
import http2 from "node:http2";
import net, { type AddressInfo } from "node:net";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpRequest } from "../../src/http/http-router.js";
import { universalRequestOf } from "../../src/transport/universal-request.js";

/**
 * The call's signal aborts only when the answer is cut short, and nothing of the call stays
 * attached to Node's request or response once the response has closed (a finished request that
 * still held the call kept it alive into the old generation: src/transport/universal-request.ts).
 */

type Seen = { uReq: UniversalServerRequest; req: HttpRequest; res: http.ServerResponse | http2.Http2ServerResponse; body: string };

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server whose handler answers after `answerAfterMs` (never, when undefined) and reports what it saw once the response closed. */
function serve(version: 1 | 2, answerAfterMs: number | undefined): Promise<{ port: number; closed: Promise<Seen> }> {
  let report: (s: Seen) => void;
  const closed = new Promise<Seen>((r) => (report = r));
  const handler = (req: HttpRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const uReq = universalRequestOf(req, res, createContextValues());
    void (async () => {
      let body = "";
      for await (const chunk of uReq.body as AsyncIterable<Uint8Array>) body += Buffer.from(chunk).toString();
      res.once("close", () => setImmediate(() => report({ uReq, req, res, body })));
      if (answerAfterMs !== undefined) setTimeout(() => res.end("done"), answerAfterMs);
    })();
  };
  const server = version === 1 ? http.createServer(handler) : http2.createServer(handler);
  closers.push(() => server.close());
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ port: (server.address() as AddressInfo).port, closed })));
}

/** Listeners of universal-request.ts still on a request or response (Node keeps some of its own). */
function ourListeners(emitter: NodeJS.EventEmitter): number {
  return emitter.eventNames().reduce((n, e) => n + emitter.listeners(e).filter((f) => f.name === "onError" || f.name === "onClose").length, 0);
}

describe("universalRequestOf", () => {
  it("HTTP/1.1: a complete answer leaves the signal alone and nothing attached; the body, headers and URL are the request's", async () => {
    const { port, closed } = await serve(1, 0);
    const res = await fetch(`http://127.0.0.1:${port}/svc/Method?x=1`, { method: "POST", body: "hello", headers: { "x-thing": "a" } });
    expect(await res.text()).toBe("done");
    const seen = await closed;
    expect(seen.body).toBe("hello");
    expect(seen.uReq.url).toBe(`http://127.0.0.1:${port}/svc/Method?x=1`);
    expect(seen.uReq.header.get("x-thing")).toBe("a");
    expect(seen.uReq.signal.aborted).toBe(false);
    expect(ourListeners(seen.req)).toBe(0);
    expect(ourListeners(seen.res as http.ServerResponse)).toBe(0);
  });

  it("HTTP/1.0 without a Host header still makes a request (it answered 500 through connect-node's adapter)", async () => {
    const { port, closed } = await serve(1, 0);
    const socket = net.connect(port, "127.0.0.1", () => socket.write("POST /svc/Method?x=1 HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi"));
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const seen = await closed;
    expect(seen.body).toBe("hi");
    expect(seen.uReq.url).toBe("http://localhost/svc/Method?x=1");
  });

  it("HTTP/1.1: a client that goes away before the answer aborts the signal with Canceled", async () => {
    const { port, closed } = await serve(1, undefined);
    const req = http.request({ port, host: "127.0.0.1", method: "POST", path: "/svc/Method" });
    req.on("error", () => undefined);
    req.end("x");
    setTimeout(() => req.destroy(), 100);
    const seen = await closed;
    expect(seen.uReq.signal.aborted).toBe(true);
    expect(seen.uReq.signal.reason).toBeInstanceOf(ConnectError);
    expect((seen.uReq.signal.reason as ConnectError).code).toBe(Code.Canceled);
    expect(ourListeners(seen.req)).toBe(0);
  });

  it("HTTP/2: a complete answer leaves the signal alone; a stream the client resets aborts it with Canceled", async () => {
    const complete = await serve(2, 0);
    const session = http2.connect(`http://127.0.0.1:${complete.port}`);
    closers.push(() => session.close());
    const stream = session.request({ ":method": "POST", ":path": "/svc/Method" });
    stream.end("hi");
    stream.resume();
    await new Promise((r) => stream.on("close", r));
    const done = await complete.closed;
    expect(done.body).toBe("hi");
    expect(done.uReq.signal.aborted).toBe(false);
    expect([...done.uReq.header.keys()].some((k) => k.startsWith(":"))).toBe(false);

    const cut = await serve(2, undefined);
    const other = http2.connect(`http://127.0.0.1:${cut.port}`);
    closers.push(() => other.close());
    const cancelled = other.request({ ":method": "POST", ":path": "/svc/Method" });
    cancelled.on("error", () => undefined);
    cancelled.end("x");
    setTimeout(() => cancelled.close(http2.constants.NGHTTP2_CANCEL), 100);
    const seen = await cut.closed;
    expect(seen.uReq.signal.aborted).toBe(true);
    expect((seen.uReq.signal.reason as ConnectError).code).toBe(Code.Canceled);
  });
});
