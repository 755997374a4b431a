import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../support/interop-tools.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const repoRoot = new URL("../../", import.meta.url).pathname;
const consumerSource = new URL("./frontend-consumer/", import.meta.url).pathname;

describe("a separate frontend package that installs this one from a tarball", () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), "scim-frontend-"));
    // npm pack runs the prepack build, so the tarball carries dist/gen with its declarations.
    const pack = await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = join(dir, pack.stdout.trim().split("\n").at(-1)!);

    const app = join(dir, "app");
    cpSync(consumerSource, app, { recursive: true });
    const manifest = join(app, "package.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("PACKAGE_TARBALL", tarball));
    const install = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--omit=optional"], { cwd: app, timeoutMs: 180_000 });
    expect(install.code, install.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("type-checks against the exported gen/ declarations", async () => {
    const tsc = join(repoRoot, "node_modules", ".bin", "tsc");
    const res = await run(tsc, ["-p", join(dir, "app")], { timeoutMs: 120_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
  }, 130_000);

  it("calls the server with connect-web's Connect JSON and gRPC-web transports under Node", async () => {
    const res = await run("node", [join(dir, "app", "dist", "main.js")], {
      timeoutMs: 60_000,
      env: { SCIM_TEST_BASE_URL: server.baseUrl, SCIM_TEST_API_KEY: server.adminKey, SCIM_TEST_ORGANIZATION_ID: server.organizationId },
    });
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.protocol)).toEqual(["connect-json", "grpc-web"]);
    for (const line of lines) {
      expect(line).toMatchObject({ tokenPrefix: "scim_", name: `frontend ${line.protocol}`, enabled: true, lifetimeDays: 90, listed: true });
    }
  }, 70_000);
});
