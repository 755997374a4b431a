import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { beforeAll, describe, expect, it } from "vitest";
import { CreateSSOConfigurationRequestSchema } from "../../gen/gitpod/v1/organization_pb.js";
import { clientFor } from "../support/clients.js";
import { freePort } from "../support/ferretdb.js";
import { startServiceProcess } from "../support/process.js";

/**
 * Graceful shutdown of the real process under load: SIGTERM lets calls that are in flight (here
 * two uploads, HTTP/1.1 and gRPC, only half sent when the signal comes) finish, refuses new ones
 * (connection refused, 503 or gRPC UNAVAILABLE, never a 500), and exits 0 within the grace period.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const GRACE_MS = 5000;

beforeAll(() => {
  // `npm test` builds first; this keeps the file runnable on its own.
  if (!existsSync(`${root}dist/src/main.js`)) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}, 120_000);

type Outcome = "ok" | "unavailable" | "refused" | "other";

describe("graceful shutdown (SIGTERM under load, real process)", () => {
  it("finishes in-flight calls, refuses new ones cleanly and exits 0", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const organizationId = randomUUID();
    const apiKey = `shutdown-test-key-${randomUUID()}`;
    const service = await startServiceProcess(
      "node",
      ["dist/src/main.js"],
      { PORT: String(port), HOST: "127.0.0.1", INIT_ORGANIZATION_ID: organizationId, INIT_ADMIN_API_KEY: apiKey, SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: "info" },
      root,
    );
    const baseUrl = `http://127.0.0.1:${port}`;
    const createBody = { organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" };

    // Load: Connect JSON over keep-alive HTTP/1.1 and gRPC over one HTTP/2 session.
    let signalled = false;
    let running = true;
    const outcomes: { outcome: Outcome; afterSignal: boolean; detail: string }[] = [];
    const agent = new Agent({ keepAlive: true });
    const jsonLoad = Array.from({ length: 6 }, async () => {
      while (running) {
        const afterSignal = signalled;
        const a = await post(baseUrl, agent, "/gitpod.v1.OrganizationService/CreateSSOConfiguration", { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, Buffer.from(JSON.stringify(createBody))).catch(
          (err: NodeJS.ErrnoException) => ({ status: -1, text: err.code ?? err.message }),
        );
        const outcome: Outcome = a.status === 200 ? "ok" : a.status === 503 ? "unavailable" : a.status === -1 && /ECONNREFUSED|ECONNRESET|socket hang up/.test(a.text) ? "refused" : "other";
        outcomes.push({ outcome, afterSignal, detail: `${a.status} ${a.text.slice(0, 100)}` });
        if (outcome === "refused") await sleep(20);
      }
    });
    const grpc = clientFor("grpc", baseUrl, apiKey);
    const grpcLoad = Array.from({ length: 4 }, async () => {
      while (running) {
        const afterSignal = signalled;
        try {
          await grpc.listSCIMConfigurations({});
          outcomes.push({ outcome: "ok", afterSignal, detail: "grpc ok" });
        } catch (err) {
          const e = ConnectError.from(err);
          // A stream the client opened after the server's GOAWAY is reset with REFUSED_STREAM
          // ("not processed, safe to retry"; gRPC maps it to UNAVAILABLE), which connect-node's
          // client reports as internal: a refusal all the same.
          const refused = /NGHTTP2_REFUSED_STREAM/.test(e.rawMessage);
          outcomes.push({ outcome: e.code === Code.Unavailable ? "unavailable" : refused ? "refused" : "other", afterSignal, detail: `grpc ${Code[e.code]} ${e.rawMessage}` });
          await sleep(20);
        }
      }
    });

    await sleep(700);
    // Two calls in flight when the signal comes: their bodies are only half sent.
    const json = Buffer.from(JSON.stringify(createBody));
    const slowH1 = slowHttp1(port, apiKey, json);
    const slowH2 = slowGrpc(baseUrl, apiKey, toBinary(CreateSSOConfigurationRequestSchema, create(CreateSSOConfigurationRequestSchema, createBody)));
    await sleep(200);

    const exited = service.stop("SIGTERM");
    signalled = true;
    const signalledAt = Date.now();
    // A new connection is refused as soon as the process has taken the signal (polled, since a
    // busy machine may take a moment to deliver it).
    let fresh = { status: 0, text: "" };
    for (let i = 0; i < 60 && fresh.text !== "ECONNREFUSED"; i++) {
      await sleep(50);
      fresh = await post(baseUrl, new Agent(), "/healthz", {}, Buffer.alloc(0)).catch((err: NodeJS.ErrnoException) => ({ status: -1, text: err.code ?? "" }));
    }
    expect(fresh.text).toBe("ECONNREFUSED");
    // The in-flight calls complete normally.
    slowH1.finish();
    slowH2.finish();
    const [h1Answer, h2Answer] = await Promise.all([slowH1.answer, slowH2.answer]);
    expect(h1Answer.status, h1Answer.text).toBe(200);
    expect(JSON.parse(h1Answer.text).ssoConfiguration.organizationId).toBe(organizationId);
    expect(h2Answer).toBe("0");

    const code = await exited;
    const tookMs = Date.now() - signalledAt;
    running = false;
    await Promise.all([...jsonLoad, ...grpcLoad]);
    agent.destroy();

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(GRACE_MS + 2000);
    expect(service.output()).toContain("shutting down");
    const before = outcomes.filter((o) => !o.afterSignal);
    const after = outcomes.filter((o) => o.afterSignal);
    console.log(
      `graceful shutdown: exit ${code} ${tookMs} ms after SIGTERM; before: ${count(before)}; after: ${count(after)}`,
    );
    expect(before.length).toBeGreaterThan(10);
    expect(before.filter((o) => o.outcome !== "ok").map((o) => o.detail)).toEqual([]);
    expect(outcomes.filter((o) => o.outcome === "other").map((o) => o.detail)).toEqual([]);
  });
});

function count(list: { outcome: Outcome }[]): string {
  const c: Record<string, number> = {};
  for (const o of list) c[o.outcome] = (c[o.outcome] ?? 0) + 1;
  return JSON.stringify(c);
}

function post(baseUrl: string, agent: Agent, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, { method: body.length > 0 ? "POST" : "GET", agent, headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body.length > 0 ? body : undefined);
  });
}

/** An HTTP/1.1 Connect call whose body is sent in two halves; finish() sends the second. */
function slowHttp1(port: number, apiKey: string, body: Buffer): { finish(): void; answer: Promise<{ status: number; text: string }> } {
  let req!: ReturnType<typeof httpRequest>;
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = httpRequest(
      { host: "127.0.0.1", port, method: "POST", path: "/gitpod.v1.OrganizationService/CreateSSOConfiguration", agent: false, headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, "content-length": body.length } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.write(body.subarray(0, body.length >> 1));
  });
  return { finish: () => req.end(body.subarray(body.length >> 1)), answer };
}

/** A gRPC call over a session of its own whose message is sent in two halves; resolves grpc-status. */
function slowGrpc(baseUrl: string, apiKey: string, message: Uint8Array): { finish(): void; answer: Promise<string | undefined> } {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  const session = http2.connect(baseUrl);
  session.on("error", () => undefined);
  const stream = session.request({ ":method": "POST", ":path": "/gitpod.v1.OrganizationService/CreateSSOConfiguration", "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${apiKey}` });
  const answer = new Promise<string | undefined>((resolve) => {
    let status: string | undefined;
    stream.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
    stream.on("trailers", (t) => (status = t["grpc-status"] as string | undefined));
    stream.on("data", () => undefined);
    stream.on("error", (err) => resolve(`stream error: ${err.message}`));
    stream.on("close", () => {
      session.close();
      resolve(status);
    });
  });
  stream.write(frame.subarray(0, frame.length >> 1));
  return { finish: () => stream.end(frame.subarray(frame.length >> 1)), answer };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
