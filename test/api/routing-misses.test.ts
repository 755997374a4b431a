import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("requests that miss a route are told where to go", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("GET and HEAD / redirect to the console", async () => {
    for (const method of ["GET", "HEAD"]) {
      const res = await fetch(`${server.baseUrl}/`, { method, redirect: "manual" });
      expect(res.status, method).toBe(302);
      expect(res.headers.get("location")).toBe("/console/");
    }
  });

  it("another unknown path is 404 with a body that says where things are", async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/users`);
    expect(res.status).toBe(404);
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe("nothing at /api/v1/users");
    expect(json.message).toMatch(/\/console\/.*POST \/gitpod\.v1\.OrganizationService\/<Method>.*\/api\/admin\/scim-settings.*\/scim\/v2.*\/healthz/);
  });

  it("Unleash routes answer a wrong method and an unknown path in Unleash's {id, name, message}", async () => {
    const put = await fetch(`${server.baseUrl}/api/admin/scim-settings`, { method: "PUT", headers: { authorization: server.adminKey } });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    const putJson = (await put.json()) as Record<string, string>;
    expect(Object.keys(putJson).sort()).toEqual(["id", "message", "name"]);
    expect(putJson).toMatchObject({ name: "MethodNotAllowedError", message: "PUT is not allowed on this route; use GET, POST." });

    const get = await fetch(`${server.baseUrl}/api/admin/scim-settings/generate-new-token`, { headers: { authorization: server.adminKey } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(((await get.json()) as Record<string, string>).name).toBe("MethodNotAllowedError");

    const missing = await fetch(`${server.baseUrl}/api/admin/scim-settings/tokens`, { headers: { authorization: server.adminKey } });
    expect(missing.status).toBe(404);
    const missingJson = (await missing.json()) as Record<string, string>;
    expect(missingJson.name).toBe("NotFoundError");
    expect(missingJson.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(missingJson.message).toMatch(/^\/api\/admin\/scim-settings\/tokens is not a route; the SCIM settings routes are GET and POST/);
  });
});
