import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** The static handler at /console/, on the real server, over a small fake build folder. */
describe("console files at /console/", () => {
  let root: string;
  let dir: string;
  let server: TestServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "console-files-"));
    dir = path.join(root, "console");
    await mkdir(path.join(dir, "assets"), { recursive: true });
    await writeFile(path.join(dir, "index.html"), "<!doctype html><title>console</title>");
    await writeFile(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
    await writeFile(path.join(dir, "assets", "index-abc123.css"), "body{}");
    // A file next to the build folder that must never be reachable.
    await writeFile(path.join(root, "secret.txt"), "top secret");
    server = await startTestServer({ consoleDir: dir });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  const get = (p: string, init?: RequestInit) => fetch(`${server.baseUrl}${p}`, { redirect: "manual", ...init });

  it("serves index.html with revalidation and a locked-down policy", async () => {
    const res = await get("/console/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<title>console</title>");
  });

  it("serves hashed assets with their type, cached for a year", async () => {
    const js = await get("/console/assets/index-abc123.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await get("/console/assets/index-abc123.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers index.html for the console's own paths but 404 for a missing asset", async () => {
    const view = await get("/console/some/view");
    expect(view.status).toBe(200);
    expect(await view.text()).toContain("<title>console</title>");
    expect((await get("/console/assets/gone-123.js")).status).toBe(404);
    expect((await get("/console/missing.png")).status).toBe(404);
  });

  it("redirects /console to /console/", async () => {
    const res = await get("/console");
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/console/");
  });

  it("never serves a file outside the build folder", async () => {
    for (const p of ["/console/../secret.txt", "/console/%2e%2e/secret.txt", "/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/console/..%5csecret.txt"]) {
      const res = await get(p);
      expect(await res.text(), p).not.toContain("top secret");
    }
    expect((await get("/console/%2e%2e%2fsecret.txt")).status).toBe(404);
    expect((await get("/console/%E0%A4%A")).status).toBe(400);
    expect((await get("/console/a%00b")).status).toBe(400);
  });

  it("allows GET and HEAD only", async () => {
    const head = await get("/console/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await get("/console/", { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("says so when the console is not built", async () => {
    const bare = await startTestServer({ consoleDir: path.join(root, "not-built") });
    try {
      const res = await fetch(`${bare.baseUrl}/console/`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: "the console is not built: run npm run build" });
    } finally {
      await bare.close();
    }
  });
});
