import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { sleep } from "./support.js";

/**
 * Finding 1 of issue 10, the HTTP/2 part: the streams one connection may open are capped
 * (HTTP2_MAX_CONCURRENT_STREAMS), and an idle session whose streams stall does not outlive its
 * GOAWAY (before, it was kept forever).
 */
const SLACK_MS = 2500;

describe("HTTP/2 streams and sessions (in-process server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    // A long body timeout, so that only the idle timeout can end the stalled stream below.
    server = await startTestServer({ env: { HTTP2_MAX_CONCURRENT_STREAMS: "10", HTTP_IDLE_TIMEOUT_MS: "1000", HTTP_BODY_TIMEOUT_MS: "60000" } });
  });
  afterAll(() => server?.close());

  it("advertises HTTP2_MAX_CONCURRENT_STREAMS and refuses streams beyond it", async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => undefined);
    const settings = await new Promise<http2.Settings>((resolve) => session.once("remoteSettings", resolve));
    expect(settings.maxConcurrentStreams).toBe(10);
    session.destroy();

    // A client that ignores the setting: raw frames, 12 HEADERS without END_STREAM. nghttp2 resets
    // the streams beyond it (REFUSED_STREAM) or, once its SETTINGS are acknowledged, ends the
    // connection (GOAWAY PROTOCOL_ERROR) naming the last stream it took: the 10th, id 19.
    const outcome = await rawStreamsBeyondLimit(server.app.listener.address.port, 12);
    console.log(`12 streams against a limit of 10: ${JSON.stringify(outcome)}`);
    expect(outcome.refused >= 2 || (outcome.goaway !== undefined && outcome.goaway.errorCode !== 0 && outcome.goaway.lastStreamId <= 19)).toBe(true);
  });

  it("an idle session whose stream stalls is closed after the GOAWAY, not kept forever", { timeout: 20_000 }, async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => undefined);
    const stream = session.request({ ":method": "POST", ":path": "/gitpod.v1.OrganizationService/ListSCIMConfigurations", "content-type": "application/json", authorization: `Bearer ${server.adminKey}` });
    stream.on("error", () => undefined);
    stream.write("{");
    const started = Date.now();
    let goaway = 0;
    session.on("goaway", () => (goaway = Date.now() - started));
    const closedAfter = await new Promise<number | undefined>((resolve) => {
      const giveUp = setTimeout(() => resolve(undefined), 8000);
      session.on("close", () => {
        clearTimeout(giveUp);
        resolve(Date.now() - started);
      });
    });
    session.destroy();
    console.log(`idle session with a stalled stream: GOAWAY after ${goaway} ms, closed after ${closedAfter ?? "never (8 s)"} ms`);
    expect(closedAfter).toBeDefined();
    expect(closedAfter!).toBeLessThanOrEqual(2 * 1000 + SLACK_MS);
  });
});

/**
 * Opens `count` streams on a raw h2c connection, ignoring the server's stream limit, and reports
 * the RST_STREAM(REFUSED_STREAM) frames and the GOAWAY the server sends back.
 */
function rawStreamsBeyondLimit(port: number, count: number): Promise<{ refused: number; goaway: { lastStreamId: number; errorCode: number } | undefined }> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    const frame = (type: number, flags: number, stream: number, payload: Buffer) => {
      const head = Buffer.alloc(9);
      head.writeUIntBE(payload.length, 0, 3);
      head[3] = type;
      head[4] = flags;
      head.writeUInt32BE(stream, 5);
      return Buffer.concat([head, payload]);
    };
    // HPACK, literal without indexing, new names: :method POST, :path /x, :scheme http, :authority a
    const header = (name: string, value: string) => Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
    const block = Buffer.concat([
      Buffer.from([0x83]), // :method POST (static index 3)
      Buffer.from([0x86]), // :scheme http (static index 6)
      Buffer.from([0x84]), // :path / (static index 4)
      header(":authority", "a"),
    ]);
    s.on("connect", async () => {
      s.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1"));
      s.write(frame(4, 0, 0, Buffer.alloc(0))); // SETTINGS
      // Wait for the server's SETTINGS and ACK them, so that its limit is in force.
      await sleep(200);
      s.write(frame(4, 1, 0, Buffer.alloc(0)));
      await sleep(100);
      for (let i = 0; i < count; i++) s.write(frame(1, 0x4, 1 + 2 * i, block)); // HEADERS, END_HEADERS, no END_STREAM
    });
    let buffered = Buffer.alloc(0);
    let refused = 0;
    let goaway: { lastStreamId: number; errorCode: number } | undefined;
    s.on("data", (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const type = buffered[3];
        if (type === 3 && buffered.readUInt32BE(9) === 7) refused++; // RST_STREAM(REFUSED_STREAM)
        if (type === 7) goaway = { lastStreamId: buffered.readUInt32BE(9) & 0x7fffffff, errorCode: buffered.readUInt32BE(13) };
        buffered = buffered.subarray(9 + length);
      }
    });
    s.on("error", () => undefined);
    setTimeout(() => {
      s.destroy();
      resolve({ refused, goaway });
    }, 1500);
  });
}

describe("a body that trickles (HTTP_REQUEST_TIMEOUT_MS)", () => {
  const REQUEST_TIMEOUT_MS = 2500;
  let server: TestServer;
  beforeAll(async () => {
    // Progress every 300 ms keeps the 1 s body timeout from firing: only the request timeout can.
    server = await startTestServer({ env: { HTTP_BODY_TIMEOUT_MS: "1000", HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HTTP_HEADERS_TIMEOUT_MS: "1000" } });
  });
  afterAll(() => server?.close());

  it("an HTTP/2 stream sending a byte every 300 ms is reset once the request timeout has passed", { timeout: 20_000 }, async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => undefined);
    const stream = session.request({ ":method": "POST", ":path": "/gitpod.v1.OrganizationService/ListSCIMConfigurations", "content-type": "application/json", authorization: `Bearer ${server.adminKey}` });
    stream.on("error", () => undefined);
    const started = Date.now();
    const trickle = setInterval(() => stream.writable && stream.write(" "), 300);
    const closedAfter = await new Promise<number | undefined>((resolve) => {
      const giveUp = setTimeout(() => resolve(undefined), 8000);
      stream.on("close", () => {
        clearTimeout(giveUp);
        resolve(Date.now() - started);
      });
    });
    clearInterval(trickle);
    console.log(`trickling h2 body: reset (code ${stream.rstCode}) after ${closedAfter ?? "never (8 s)"} ms`);
    session.destroy();
    expect(closedAfter).toBeDefined();
    expect(closedAfter!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it("an HTTP/1.1 body sending a byte every 300 ms gets 408 once the request timeout has passed", { timeout: 20_000 }, async () => {
    const started = Date.now();
    let answer = "";
    const closedAfter = await new Promise<number | undefined>((resolve) => {
      const s = net.connect(server.app.listener.address.port, "127.0.0.1", () => {
        s.write(`POST /gitpod.v1.OrganizationService/ListSCIMConfigurations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
        const trickle = setInterval(() => s.writable && s.write(" "), 300);
        s.once("close", () => clearInterval(trickle));
      });
      s.on("data", (d: Buffer) => (answer += d.toString("latin1")));
      s.on("error", () => undefined);
      const giveUp = setTimeout(() => {
        s.destroy();
        resolve(undefined);
      }, 8000);
      s.on("close", () => {
        clearTimeout(giveUp);
        resolve(Date.now() - started);
      });
    });
    console.log(`trickling h1 body: ${answer.split("\r\n")[0] || "no answer"} after ${closedAfter ?? "never (8 s)"} ms`);
    expect(closedAfter).toBeDefined();
    expect(closedAfter!).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});
