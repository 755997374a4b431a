import http from "node:http";
import http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { sleep } from "./support.js";

/**
 * Finding 6 of issue 10: grpc.health.v1.Health/Watch needs no key, and every stream pinged the
 * database on its own. All watchers must share one health state (at most one ping per interval,
 * whatever their number) and the number of Watch streams is capped (resource_exhausted beyond).
 */
const INTERVAL_MS = 200;
const MAX_WATCHERS = 64;
const WINDOW_MS = 2000;

let server: TestServer;
let pings = 0;

beforeAll(async () => {
  const stores = createMemoryStores();
  const ping = stores.ping.bind(stores);
  server = await startTestServer({
    stores: Object.assign(Object.create(Object.getPrototypeOf(stores)), stores, {
      ping: () => {
        pings++;
        return ping();
      },
    }),
    env: { HEALTH_WATCH_INTERVAL_MS: String(INTERVAL_MS), HEALTH_WATCH_MAX_STREAMS: String(MAX_WATCHERS) },
  });
});
afterAll(() => server?.close());

interface Watcher {
  /** Status values received so far (1 SERVING, 2 NOT_SERVING). */
  statuses: number[];
  /** grpc-status once the stream ended. */
  ended: Promise<string | undefined>;
  cancel(): void;
}

/** A raw gRPC Watch call for the overall status ("") on the given session. */
function watch(session: http2.ClientHttp2Session): Watcher {
  const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Watch", "content-type": "application/grpc", te: "trailers" });
  const statuses: number[] = [];
  let buffered = Buffer.alloc(0);
  stream.on("data", (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    while (buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt32BE(1)) {
      const message = buffered.subarray(5, 5 + buffered.readUInt32BE(1));
      // HealthCheckResponse { status = 1 (varint) }; an empty message is UNKNOWN (0).
      statuses.push(message.length >= 2 && message[0] === 0x08 ? message[1]! : 0);
      buffered = buffered.subarray(5 + message.length);
    }
  });
  stream.on("error", () => undefined);
  const ended = new Promise<string | undefined>((resolve) => {
    let status: string | undefined;
    stream.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
    stream.on("trailers", (t) => (status = t["grpc-status"] as string | undefined));
    stream.on("close", () => resolve(status));
  });
  stream.end(Buffer.from([0, 0, 0, 0, 0])); // HealthCheckRequest { service: "" }
  return { statuses, ended, cancel: () => stream.close(http2.constants.NGHTTP2_CANCEL) };
}

describe("grpc.health.v1 Watch without a key", () => {
  it(`${MAX_WATCHERS} watchers share one ping per interval; more are refused with RESOURCE_EXHAUSTED`, { timeout: 20_000 }, async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => undefined);
    const before = pings;
    const started = performance.now();
    const watchers = Array.from({ length: MAX_WATCHERS }, () => watch(session));
    await expect.poll(() => watchers.every((w) => w.statuses.length > 0), { timeout: 5000 }).toBe(true);
    expect(new Set(watchers.map((w) => w.statuses[0]))).toEqual(new Set([1])); // SERVING
    await sleep(WINDOW_MS);
    const elapsed = performance.now() - started;
    const during = pings - before;
    console.log(`health watch: ${MAX_WATCHERS} watchers caused ${during} pings in ${elapsed.toFixed(0)} ms (interval ${INTERVAL_MS} ms)`);
    // One at the first watcher, then at most one per interval.
    expect(during).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 1);
    expect(during).toBeGreaterThanOrEqual(WINDOW_MS / INTERVAL_MS / 2); // the shared state still follows the database

    // Beyond the cap: refused at once, and the open watchers keep going.
    const extra = Array.from({ length: 8 }, () => watch(session));
    const extraStatuses = await Promise.race([Promise.all(extra.map((w) => w.ended)), sleep(3000).then(() => "still open")]);
    console.log(`health watch beyond the cap: ${JSON.stringify(extraStatuses)}`);
    expect(extraStatuses).toEqual(Array(8).fill("8"));

    // Watchers gone: the ping loop stops, and the slots are free again.
    for (const w of watchers) w.cancel();
    await Promise.all(watchers.map((w) => w.ended));
    await sleep(INTERVAL_MS * 2);
    const idle = pings;
    await sleep(INTERVAL_MS * 5);
    expect(pings - idle).toBe(0);
    const again = watch(session);
    await expect.poll(() => again.statuses.length, { timeout: 3000 }).toBe(1);
    again.cancel();
    session.destroy();
  });

  it("frees a Connect stream's slot over HTTP/1.1 when its client goes away", { timeout: 20_000 }, async () => {
    // The adapter hears of a closed HTTP/1.1 response only when it was cut short
    // (transport/connect-handler.ts): a client that leaves must still end its call.
    const url = new URL("/grpc.health.v1.Health/Watch", server.baseUrl);
    const open = () =>
      new Promise<{ first: string; req: http.ClientRequest }>((resolve, reject) => {
        const body = Buffer.from("{}");
        const envelope = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
        const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/connect+json", "content-length": envelope.length } }, (res) => {
          res.once("data", (d: Buffer) => resolve({ first: d.subarray(5).toString(), req }));
          res.on("error", () => undefined);
        });
        req.on("error", reject);
        req.end(envelope);
      });
    for (let round = 0; round < 3; round++) {
      const calls = await Promise.all(Array.from({ length: MAX_WATCHERS }, open));
      expect(new Set(calls.map((c) => c.first))).toEqual(new Set(['{"status":"SERVING"}']));
      for (const c of calls) c.req.destroy();
      await sleep(INTERVAL_MS);
    }
  });
});
