import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** The console may call its own origin and exactly the ones CONSOLE_API_ORIGINS lists. */
describe("CONSOLE_API_ORIGINS and the console's Content-Security-Policy", () => {
  let root: string;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "console-origins-"));
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, "index.html"), "<!doctype html><html><head><title>console</title></head><body></body></html>");
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await rm(root, { recursive: true, force: true });
  });

  const page = async (env: Record<string, string>) => {
    const server = await startTestServer({ consoleDir: root, env });
    servers.push(server);
    const res = await fetch(`${server.baseUrl}/console/`);
    return { csp: res.headers.get("content-security-policy") ?? "", html: await res.text() };
  };
  const connectSrc = (csp: string) => csp.split("; ").find((d) => d.startsWith("connect-src"));

  it("by default connect-src is 'self' only (no http: or https: wildcard) and the page lists no origin", async () => {
    const { csp, html } = await page({});
    expect(connectSrc(csp)).toBe("connect-src 'self'");
    expect(html).toContain('<meta name="console-api-origins" content="" />');
  });

  it("listed origins are added to connect-src and written into the page for the sign-in form", async () => {
    const { csp, html } = await page({ CONSOLE_API_ORIGINS: "https://scim.example.com, http://127.0.0.1:9000" });
    expect(connectSrc(csp)).toBe("connect-src 'self' https://scim.example.com http://127.0.0.1:9000");
    expect(html).toContain('<meta name="console-api-origins" content="https://scim.example.com,http://127.0.0.1:9000" />');
  });

  it("entries that are not origins are refused at start-up, each named", () => {
    for (const bad of ["*", "https://scim.example.com/api", "scim.example.com", "ftp://x.example.com", "https://x.example.com/"]) {
      expect(() => loadConfig({ CONSOLE_API_ORIGINS: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ CONSOLE_API_ORIGINS: "https://a.example.com,*" })).toThrow(/CONSOLE_API_ORIGINS entries must be origins like https:\/\/scim.example.com, without a path \(got "\*"\)/);
  });
});
