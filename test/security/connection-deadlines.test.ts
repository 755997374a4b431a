import { rmSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { closedAfter, drip, makeCertificate } from "./support.js";

/**
 * Connections that never get to a request are cut within HTTP_HEADERS_TIMEOUT_MS, counted from
 * the moment they arrive, on cleartext and on TLS: a client cannot stretch the deadline by
 * sending one byte at a time (findings 4 and 5 of issue 10).
 */
const HEADERS_TIMEOUT_MS = 1000;
/** Node checks HTTP/1.1 header deadlines once per second at most; plus scheduling on a busy machine. */
const SLACK_MS = 1500;
const LIMIT = HEADERS_TIMEOUT_MS + SLACK_MS;
/** How long a test waits before it calls a connection "still open" (well below what the findings saw). */
const WAIT_MS = 8000;
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const SLOW_HEADERS = Buffer.from("GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: drip\r\nAccept: */*\r\n\r\n", "latin1");

describe("cleartext: the HTTP/2 preface deadline is absolute from accept", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
  });
  afterAll(() => server?.close());

  it("24 preface bytes, one every 250 ms, are cut within the timeout", async () => {
    const ms = await closedAfter(server.app.listener.address.port, WAIT_MS, (s) => drip(s, PREFACE, 250));
    console.log(`dripped preface: closed after ${ms} ms`);
    expect(ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(ms).toBeLessThanOrEqual(LIMIT);
  });

  it("a complete preface followed by nothing (no SETTINGS) is cut within the timeout", async () => {
    const ms = await closedAfter(server.app.listener.address.port, WAIT_MS, (s) => s.write(PREFACE));
    expect(ms).toBeLessThanOrEqual(LIMIT);
  });
});

describe("TLS honours HTTP_HEADERS_TIMEOUT_MS", () => {
  let server: TestServer;
  let cert: ReturnType<typeof makeCertificate>;
  let port: number;
  beforeAll(async () => {
    cert = makeCertificate();
    server = await startTestServer({ env: { HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile } });
    port = server.app.listener.address.port;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it("still serves HTTP/1.1 and HTTP/2 over TLS", async () => {
    const alpn = await Promise.all(
      [["http/1.1"], ["h2"]].map(
        (protocols) =>
          new Promise<string | false>((resolve, reject) => {
            const s = tls.connect({ port, host: "127.0.0.1", rejectUnauthorized: false, ALPNProtocols: protocols }, () => {
              resolve(s.alpnProtocol ?? false);
              s.destroy();
            });
            s.on("error", reject);
          }),
      ),
    );
    expect(alpn).toEqual(["http/1.1", "h2"]);
    const res = await httpsGet(port, "/healthz");
    expect(res).toContain("200 OK");
  });

  it("a TCP connection that never starts the handshake is cut within the timeout", async () => {
    const ms = await closedAfter(port, WAIT_MS);
    console.log(`TLS, silent TCP: closed after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(LIMIT);
  });

  it("a handshake sent one byte at a time is cut within the timeout", async () => {
    const hello = await captureClientHello();
    const ms = await closedAfter(port, WAIT_MS, (s) => drip(s, hello, 100));
    console.log(`TLS, dripped ClientHello: closed after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(LIMIT);
  });

  for (const alpn of [[], ["http/1.1"], ["h2"]]) {
    it(`a connection that sends nothing after the handshake (ALPN ${alpn.join(",") || "none"}) is cut within the timeout`, async () => {
      const ms = await tlsClosedAfter(alpn, () => undefined);
      console.log(`TLS, silent after handshake (${alpn.join(",") || "no ALPN"}): closed after ${ms} ms`);
      expect(ms).toBeLessThanOrEqual(LIMIT);
    });
  }

  it("headers sent one byte every 300 ms get 408 or are cut within the timeout", async () => {
    let answer = "";
    const ms = await tlsClosedAfter(["http/1.1"], (s) => {
      s.on("data", (d: Buffer) => (answer += d.toString("latin1")));
      drip(s, SLOW_HEADERS, 300);
    });
    console.log(`TLS, dripped headers: closed after ${ms} ms (${answer.split("\r\n")[0] || "no answer"})`);
    expect(ms).toBeLessThanOrEqual(LIMIT);
    if (answer !== "") expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  /** Resolves how long after the handshake the server closed the TLS connection. */
  function tlsClosedAfter(ALPNProtocols: string[], act: (s: tls.TLSSocket) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let secureAt = 0;
      const s = tls.connect({ port, host: "127.0.0.1", rejectUnauthorized: false, ALPNProtocols }, () => {
        secureAt = Date.now();
        act(s);
      });
      s.on("data", () => undefined);
      s.on("error", () => undefined);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`TLS connection still open after ${WAIT_MS} ms`));
      }, WAIT_MS);
      s.on("close", () => {
        clearTimeout(timer);
        if (secureAt === 0) reject(new Error("the handshake did not finish"));
        else resolve(Date.now() - secureAt);
      });
    });
  }
});

/** The bytes a Node TLS client sends first (its ClientHello), captured by a plain TCP server. */
function captureClientHello(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const capture = net.createServer((s) => {
      s.once("data", (d: Buffer) => {
        resolve(d);
        s.destroy();
        capture.close();
      });
    });
    capture.listen(0, "127.0.0.1", () => {
      const client = tls.connect({ port: (capture.address() as net.AddressInfo).port, host: "127.0.0.1", rejectUnauthorized: false });
      client.on("error", () => undefined);
    });
    capture.on("error", reject);
  });
}

function httpsGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ port, host: "127.0.0.1", rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let text = "";
    s.on("data", (d: Buffer) => (text += d.toString("latin1")));
    s.on("end", () => resolve(text));
    s.on("error", reject);
  });
}
