import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import { createLogger } from "../../src/logging/logger.js";
import { clientFor } from "../support/clients.js";
import { createScimTenant, scim } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

type Line = Record<string, unknown>;
const settle = () => new Promise((r) => setTimeout(r, 50));

/**
 * Every line the service writes while it serves a request carries that request's id (`reqId`,
 * also in the `x-request-id` response header), whichever layer wrote it: the access log, the RPC
 * interceptor's and the transport's error logs, the SCIM and Unleash routes'. Here each of those
 * paths is made to log (a store that fails with an unexpected error), and every line written
 * during the requests is checked.
 */
describe("request ids on every log line of a request", () => {
  const lines: Line[] = [];
  const logger = createLogger(
    "info",
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Line);
        done();
      },
    }),
  );
  const stores = createMemoryStores();
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ stores, logger });
    token = (await createScimTenant(server)).token;
    // From here on these reads fail as a bug would: a plain Error, not a domain error.
    const boom = () => Promise.reject(new Error("unexpected failure for the test"));
    Object.assign(stores.scimConfigurations, { get: boom, list: boom });
    Object.assign(stores.scimUsers, { list: boom });
  });
  afterAll(() => server.close());

  const errorLines = () => lines.filter((l) => l.level === 50);

  it("puts the request id on the access line and on the error line of an RPC that fails, over Connect and gRPC", async () => {
    lines.length = 0;
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/GetSCIMConfiguration`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ scimConfigurationId: randomUUID() }),
    });
    expect(res.status).toBe(500);
    const id = res.headers.get("x-request-id");
    const given = `grpc-trace-${randomUUID()}`;
    const grpc = clientFor("grpc", server.baseUrl, server.adminKey);
    await expect(grpc.getSCIMConfiguration({ scimConfigurationId: randomUUID() }, { headers: { "x-request-id": given } })).rejects.toThrow();
    await settle();
    const errors = errorLines();
    expect(errors.map((l) => [l.msg, l.reqId])).toEqual([
      ["rpc failed with an unexpected error", id],
      ["rpc failed with an unexpected error", given],
    ]);
    expect(lines.filter((l) => l.msg === "request").map((l) => l.reqId)).toEqual([id, given]);
  });

  it("puts it on the error lines of the SCIM and Unleash routes", async () => {
    lines.length = 0;
    const scimRes = await scim(server, token, "GET", "/Users", undefined, { "x-request-id": "idp-req-1" });
    expect(scimRes.status).toBe(500);
    expect(scimRes.body.detail).toContain("idp-req-1");
    const unleash = await fetch(`${server.baseUrl}/api/admin/scim-settings`, { headers: { authorization: server.adminKey, "x-request-id": "script-7" } });
    expect(unleash.status).toBe(500);
    await settle();
    expect(errorLines().map((l) => [l.msg, l.reqId])).toEqual([
      ["unexpected error in a SCIM route", "idp-req-1"],
      ["unexpected error in an Unleash-style route", "script-7"],
    ]);
  });

  it("leaves no line written while serving requests without the request id", async () => {
    lines.length = 0;
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
        body: "{}",
      });
      ids.add(r.headers.get("x-request-id")!);
      const s = await scim(server, token, "GET", "/Users");
      ids.add(s.headers.get("x-request-id")!);
    }
    await settle();
    expect(lines.length).toBeGreaterThanOrEqual(12);
    for (const line of lines) expect(ids.has(String(line.reqId)), JSON.stringify(line)).toBe(true);
  });
});
