import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { clientFor, PROTOCOLS } from "../support/clients.js";
import { startFerretDb, type RunningFerretDb } from "../support/ferretdb.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * FerretDB of its own, stopped in the middle of load and started again: calls fail fast and
 * cleanly while it is down, readiness follows it, the service recovers by itself, and nothing
 * that was acknowledged before the fault is lost.
 */
const DB_TIMEOUT_MS = 1000;
/** What a call may take beyond the database timeout (event loop, retry of a read, scheduling). */
const SLACK_MS = 1500;
const CLIENTS = 8;

let ferret: RunningFerretDb;
let server: TestServer;

beforeAll(async () => {
  ferret = await startFerretDb();
  const stores = await createMongoStores({ uri: ferret.uri, database: `fault_${randomUUID().slice(0, 8)}`, operationTimeoutMs: DB_TIMEOUT_MS });
  server = await startTestServer({ stores, env: { DB_TIMEOUT_MS: String(DB_TIMEOUT_MS) } });
});
afterAll(async () => {
  await server?.close();
  await ferret?.destroy();
});

interface Outcome {
  phase: "before" | "down" | "after";
  ok: boolean;
  code: Code | undefined;
  ms: number;
}

describe("database fault (FerretDB stopped under load)", () => {
  it("answers unavailable within the timeout, turns not ready, recovers within 5 s and loses nothing acknowledged", { timeout: 120_000 }, async () => {
    let phase: Outcome["phase"] = "before";
    let running = true;
    const outcomes: Outcome[] = [];
    const acknowledged: string[] = [];

    const load = Array.from({ length: CLIENTS }, async (_, i) => {
      const client = clientFor(PROTOCOLS[i % PROTOCOLS.length]!, server.baseUrl, server.adminKey);
      while (running) {
        const at = phase;
        const started = performance.now();
        try {
          const sso = await client.createSSOConfiguration({ organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" });
          const scim = await client.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: sso.ssoConfiguration!.id });
          acknowledged.push(scim.scimConfiguration!.id);
          await client.getSCIMConfiguration({ scimConfigurationId: scim.scimConfiguration!.id });
          outcomes.push({ phase: at, ok: true, code: undefined, ms: performance.now() - started });
        } catch (err) {
          outcomes.push({ phase: at, ok: false, code: ConnectError.from(err).code, ms: performance.now() - started });
          await sleep(50);
        }
      }
    });

    await sleep(2000);
    expect(await readyStatus()).toBe(200);
    expect(await grpcHealth()).toBe(Serving.SERVING);
    const acknowledgedBefore = acknowledged.length;
    expect(acknowledgedBefore).toBeGreaterThan(0);

    phase = "down";
    const snapshot = [...acknowledged];
    await ferret.stop();
    await sleep(DB_TIMEOUT_MS + SLACK_MS);
    expect(await readyStatus()).toBe(503);
    expect(await grpcHealth()).toBe(Serving.NOT_SERVING);
    await sleep(2000);

    await ferret.start();
    phase = "after";
    const restarted = performance.now();
    let recoveredMs = Number.POSITIVE_INFINITY;
    while (performance.now() - restarted < 10_000) {
      if ((await readyStatus()) === 200 && outcomes.some((o) => o.phase === "after" && o.ok)) {
        recoveredMs = performance.now() - restarted;
        break;
      }
      await sleep(100);
    }
    await sleep(500);
    running = false;
    await Promise.all(load);

    console.log(
      `database fault: ${outcomes.filter((o) => o.phase === "down").length} calls while down, ` +
        `slowest ${Math.max(...outcomes.filter((o) => o.phase === "down").map((o) => o.ms)).toFixed(0)} ms; recovered in ${recoveredMs.toFixed(0)} ms`,
    );
    const down = outcomes.filter((o) => o.phase === "down");
    expect(down.filter((o) => !o.ok).length).toBeGreaterThan(0);
    // Failures are only ever unavailable (no internal, no unknown), and none hangs.
    const wrongCodes = outcomes.filter((o) => !o.ok && o.code !== Code.Unavailable).map((o) => `${o.phase}: ${Code[o.code!]}`);
    expect(wrongCodes).toEqual([]);
    // A loop is up to three calls: each may take the timeout (plus slack) before failing fast.
    const slow = down.filter((o) => o.ms > 3 * (DB_TIMEOUT_MS + SLACK_MS));
    expect(slow.map((o) => o.ms)).toEqual([]);
    expect(recoveredMs).toBeLessThanOrEqual(5000);
    expect(await grpcHealth()).toBe(Serving.SERVING);

    // Every configuration acknowledged before the fault is still there.
    const client = clientFor("connect-json", server.baseUrl, server.adminKey);
    for (const id of snapshot) {
      const got = await client.getSCIMConfiguration({ scimConfigurationId: id });
      expect(got.scimConfiguration?.id).toBe(id);
    }
  });
});

async function readyStatus(): Promise<number> {
  const res = await fetch(`${server.baseUrl}/readyz`, { signal: AbortSignal.timeout(DB_TIMEOUT_MS * 3 + SLACK_MS) });
  await res.arrayBuffer();
  return res.status;
}

async function grpcHealth(): Promise<Serving> {
  const health = createClient(Health, createGrpcTransport({ baseUrl: server.baseUrl, idleConnectionTimeoutMs: 200 }));
  const res = await health.check({ service: "" }, { timeoutMs: DB_TIMEOUT_MS * 3 + SLACK_MS });
  return res.status;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
