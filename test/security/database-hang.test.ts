import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { clientFor } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { sleep, startFreezableFerretDb, type FreezableFerretDb } from "./support.js";

/**
 * Finding 8 of issue 10: while the database hangs (its process frozen with SIGSTOP: connections
 * stay open, nothing answers), a client's deadline bounds its call (deadline_exceeded), and no
 * call waits longer than DB_TIMEOUT_MS, the first one after the hang included.
 */
const DB_TIMEOUT_MS = 2000;
const CLIENT_DEADLINE_MS = 500;
/** Scheduling and event-loop slack on a shared 2-core machine; well below a second timeout. */
const SLACK_MS = 700;

let ferret: FreezableFerretDb;
let server: TestServer;
let ssoId: string;

beforeAll(async () => {
  ferret = await startFreezableFerretDb();
  const stores = await createMongoStores({ uri: ferret.uri, database: `hang_${randomUUID().slice(0, 8)}`, operationTimeoutMs: DB_TIMEOUT_MS });
  // The key stays cached through the test, so each Get below is exactly one database operation.
  server = await startTestServer({ stores, env: { DB_TIMEOUT_MS: String(DB_TIMEOUT_MS), API_KEY_CACHE_TTL_MS: "60000" } });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await ferret?.destroy();
});

interface Timed {
  code: string;
  ms: number;
}

/** GetSSOConfiguration over Connect JSON (HTTP/1.1), optionally with Connect-Timeout-Ms. */
async function getSso(timeoutMs?: number): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/GetSSOConfiguration`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${server.adminKey}`,
      ...(timeoutMs === undefined ? {} : { "connect-timeout-ms": String(timeoutMs) }),
    },
    body: JSON.stringify({ ssoConfigurationId: ssoId }),
  });
  const body = (await res.json()) as { code?: string };
  return { code: res.status === 200 ? "ok" : (body.code ?? String(res.status)), ms: performance.now() - started };
}

async function grpcGet(timeoutMs?: number): Promise<Timed> {
  const started = performance.now();
  try {
    await clientFor("grpc", server.baseUrl, server.adminKey).getSSOConfiguration({ ssoConfigurationId: ssoId }, timeoutMs === undefined ? {} : { timeoutMs });
    return { code: "ok", ms: performance.now() - started };
  } catch (err) {
    return { code: Code[ConnectError.from(err).code], ms: performance.now() - started };
  }
}

describe("database hangs (FerretDB frozen with SIGSTOP)", () => {
  it("a client deadline bounds the call, and no call waits longer than DB_TIMEOUT_MS", { timeout: 90_000 }, async () => {
    const created = await clientFor("connect-json", server.baseUrl, server.adminKey).createSSOConfiguration({
      organizationId: server.organizationId,
      clientId: "c",
      clientSecret: "s",
      issuerUrl: "https://idp.example.com",
    });
    ssoId = created.ssoConfiguration!.id;
    for (let i = 0; i < 3; i++) expect((await getSso()).code).toBe("ok");
    expect((await grpcGet()).code).toBe("ok");

    await ferret.freeze();
    try {
      const first = await getSso();
      const withDeadline = await getSso(CLIENT_DEADLINE_MS);
      const grpcWithDeadline = await grpcGet(CLIENT_DEADLINE_MS);
      const concurrent = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? getSso() : grpcGet())));
      const deadlines = await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 === 0 ? getSso(CLIENT_DEADLINE_MS) : grpcGet(CLIENT_DEADLINE_MS))));
      const show = (t: Timed) => `${t.code} ${t.ms.toFixed(0)} ms`;
      console.log(
        `database frozen: first call ${show(first)}; Connect-Timeout-Ms ${CLIENT_DEADLINE_MS}: ${show(withDeadline)}; grpc-timeout: ${show(grpcWithDeadline)}; ` +
          `concurrent: ${concurrent.map(show).join(", ")}; with deadlines: ${deadlines.map(show).join(", ")}`,
      );

      expect(first.code).toBe("unavailable");
      expect(first.ms).toBeLessThanOrEqual(DB_TIMEOUT_MS + SLACK_MS);
      for (const t of [withDeadline, grpcWithDeadline, ...deadlines]) {
        expect(t.code.toLowerCase().replace("deadlineexceeded", "deadline_exceeded")).toBe("deadline_exceeded");
        expect(t.ms).toBeLessThanOrEqual(CLIENT_DEADLINE_MS + SLACK_MS);
      }
      for (const t of concurrent) {
        expect(t.code.toLowerCase()).toBe("unavailable");
        expect(t.ms).toBeLessThanOrEqual(DB_TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      ferret.thaw();
    }

    // Thawed: the service answers again by itself.
    const thawed = performance.now();
    let recovered = false;
    while (!recovered && performance.now() - thawed < 15_000) {
      recovered = (await getSso()).code === "ok";
      if (!recovered) await sleep(200);
    }
    console.log(`database thawed: answering again after ${(performance.now() - thawed).toFixed(0)} ms`);
    expect(recovered).toBe(true);
  });
});
