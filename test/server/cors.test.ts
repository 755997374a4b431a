import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ALLOWED = "https://admin.example.com";
const RPC = "/gitpod.v1.OrganizationService/ListSCIMConfigurations";

describe("CORS with CORS_ORIGINS", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { CORS_ORIGINS: `${ALLOWED},http://localhost:5173` } });
  });
  afterAll(() => server.close());

  const preflight = (path: string, origin: string) =>
    fetch(`${server.baseUrl}${path}`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,connect-protocol-version" },
    });

  it("answers a preflight from an allowed origin with Connect's header lists plus Authorization", async () => {
    for (const path of [RPC, "/healthz"]) {
      const res = await preflight(path, ALLOWED);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(res.headers.get("access-control-allow-methods")).toBe("POST, GET");
      const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase().split(", ");
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "connect-protocol-version", "x-grpc-web", "grpc-timeout"]));
      expect(res.headers.get("access-control-max-age")).toBe("7200");
    }
  });

  it("refuses a preflight from another origin without CORS headers", async () => {
    const res = await preflight(RPC, "https://evil.example.com");
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("adds the allow and expose headers to actual RPC and REST responses of allowed origins only", async () => {
    const rpc = await fetch(`${server.baseUrl}${RPC}`, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      body: "{}",
    });
    expect(rpc.status).toBe(200);
    expect(rpc.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(rpc.headers.get("access-control-expose-headers")).toContain("Grpc-Status");
    expect(rpc.headers.get("vary")).toContain("Origin");

    const rest = await fetch(`${server.baseUrl}/healthz`, { headers: { origin: "http://localhost:5173" } });
    expect(rest.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");

    const noOrigin = await fetch(`${server.baseUrl}/healthz`);
    expect(noOrigin.headers.get("vary")).toContain("Origin");
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();

    const other = await fetch(`${server.baseUrl}/healthz`, { headers: { origin: "https://evil.example.com" } });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers at all when CORS_ORIGINS is empty", async () => {
    const plain = await startTestServer();
    try {
      const res = await fetch(`${plain.baseUrl}/healthz`, { headers: { origin: ALLOWED } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('answers "*" for any origin when CORS_ORIGINS is *', async () => {
    const open = await startTestServer({ env: { CORS_ORIGINS: "*" } });
    try {
      const res = await fetch(`${open.baseUrl}${RPC}`, {
        method: "OPTIONS",
        headers: { origin: "https://anything.example", "access-control-request-method": "POST" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
    } finally {
      await open.close();
    }
  });
});
