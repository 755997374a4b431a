import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import { StoreUnavailableError } from "../../src/domain/errors.js";
import { createLogger } from "../../src/logging/logger.js";
import { clientFor, postJson } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** Collects the JSON log lines the service writes. */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger("info", stream) };
}

const requestLines = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === "request");
const settle = () => new Promise((r) => setTimeout(r, 50));

describe("access log and request ids", () => {
  const { lines, logger } = captureLogs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ logger });
  });
  afterAll(() => server.close());

  it("writes one info line per request with method, path, status, code, duration, client, key id and request id — never the key", async () => {
    lines.length = 0;
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations?token=`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      body: "{}",
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await settle();
    const [line, ...more] = requestLines(lines);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, method: "POST", path: "/gitpod.v1.OrganizationService/ListSCIMConfigurations", status: 200, code: "ok", client: "127.0.0.1" });
    expect(typeof line!.ms).toBe("number");
    expect(line!.apiKeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line!.reqId).toBe(res.headers.get("x-request-id"));
    expect(JSON.stringify(lines)).not.toContain(server.adminKey);
  });

  it("keeps a well-formed x-request-id from the client and replaces a malformed one", async () => {
    const given = await fetch(`${server.baseUrl}/healthz`, { headers: { "x-request-id": "idp-trace.42" } });
    expect(given.headers.get("x-request-id")).toBe("idp-trace.42");
    const bad = await fetch(`${server.baseUrl}/healthz`, { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("logs refused and failed RPCs with their Connect code, gRPC calls too (which answer HTTP 200)", async () => {
    lines.length = 0;
    const notFound = await postJson(server.baseUrl, "GetSCIMConfiguration", { scimConfigurationId: "0190f3a0-0000-7000-8000-000000000000" }, server.adminKey);
    expect(notFound.status).toBe(404);
    await expect(clientFor("grpc", server.baseUrl, server.adminKey).getSCIMConfiguration({ scimConfigurationId: "0190f3a0-0000-7000-8000-000000000000" })).rejects.toThrow();
    const unauth = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, "scimadm_wrong");
    expect(unauth.status).toBe(401);
    await settle();
    const got = requestLines(lines).map((l) => [l.status, l.code]);
    expect(got).toEqual([
      [404, "not_found"],
      [200, "not_found"],
      [401, "unauthenticated"],
    ]);
  });

  it("logs Unleash and SCIM routes with who called", async () => {
    lines.length = 0;
    const res = await fetch(`${server.baseUrl}/api/admin/scim-settings`, { headers: { authorization: server.adminKey } });
    await res.arrayBuffer();
    await settle();
    const [line] = requestLines(lines);
    expect(line).toMatchObject({ method: "GET", path: "/api/admin/scim-settings", status: 404 });
    expect(line!.apiKeyId).toBeDefined();
  });
});

describe("access log when the database is down", () => {
  it("is a warning, not an info line", async () => {
    const { lines, logger } = captureLogs();
    const stores = createMemoryStores();
    const down = () => Promise.reject(new StoreUnavailableError());
    const server = await startTestServer({ stores, logger });
    try {
      Object.assign(stores.scimConfigurations, { list: down });
      const res = await postJson(server.baseUrl, "ListSCIMConfigurations", {}, server.adminKey);
      expect(res.status).toBe(503);
      await settle();
      const [line] = requestLines(lines).filter((l) => l.path === "/gitpod.v1.OrganizationService/ListSCIMConfigurations");
      expect(line).toMatchObject({ level: 40, status: 503, code: "unavailable" });
    } finally {
      await server.close();
    }
  });
});
