import { cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { interopPaths, run } from "../support/interop-tools.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const cache = inject("interopCache");
const { protocGenGo } = interopPaths(cache);
const repoRoot = new URL("../../", import.meta.url).pathname;
const sourceDir = new URL("./go/", import.meta.url).pathname;
// A fixed folder in the cache, so Go's build cache recognises the package from run to run.
const workDir = join(cache, "go-interop");

/** Copies the Go module out of the tree and generates its stubs from proto/ with protoc-gen-go. */
async function prepareModule(): Promise<void> {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const file of readdirSync(sourceDir)) cpSync(join(sourceDir, file), join(workDir, file));
  const template = {
    version: "v2",
    managed: { enabled: true, override: [{ file_option: "go_package_prefix", value: "scim-config-service/interop-go/gen" }] },
    plugins: [{ local: protocGenGo, out: "gen", opt: ["paths=source_relative"] }],
  };
  const buf = join(repoRoot, "node_modules", ".bin", "buf");
  const res = await run(buf, ["generate", ".", "--path", "proto/gitpod", "--path", "proto/scimservice", "--template", JSON.stringify(template), "-o", workDir], { cwd: repoRoot });
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
}

describe("Go clients: protoc-gen-go stubs with grpc-go and connect-go", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await prepareModule();
  });
  afterAll(() => server.close());

  it("run Create, Regenerate, Get, List, Delete over gRPC, gRPC-web, Connect binary and Connect JSON, and the read-back services over gRPC", async () => {
    const res = await run("go", ["test", "-count=1", "-v", "./..."], {
      cwd: workDir,
      timeoutMs: 280_000,
      env: { SCIM_TEST_BASE_URL: server.baseUrl, SCIM_TEST_API_KEY: server.adminKey, SCIM_TEST_ORGANIZATION_ID: server.organizationId },
    });
    const passed = res.stdout.match(/^\s*--- PASS/gm)?.length ?? 0;
    const failed = res.stdout.match(/^\s*--- FAIL/gm)?.length ?? 0;
    console.log(`go interop tests (incl. subtests): ${passed} passed, ${failed} failed, exit ${res.code}`);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    // 5 protocols x (parent + 2 subtests) + TestGoClients + TestReadBack + TestNoKeyIsUnauthenticated
    expect(passed).toBe(18);
    expect(failed).toBe(0);
  }, 300_000);
});
