import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { interopPaths, run, unittestCount } from "../support/interop-tools.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const paths = interopPaths(inject("interopCache"));
const suiteDir = new URL("./python/", import.meta.url).pathname;
const protoDir = new URL("../../proto/", import.meta.url).pathname;

describe("Python gRPC clients", () => {
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer();
    env = {
      SCIM_TEST_GRPC_TARGET: `127.0.0.1:${server.app.listener.address.port}`,
      SCIM_TEST_BASE_URL: server.baseUrl,
      SCIM_TEST_API_KEY: server.adminKey,
      SCIM_TEST_ORGANIZATION_ID: server.organizationId,
      SCIM_TEST_PROTO_DIR: protoDir,
      SCIM_TEST_UPSTREAM_SDK: paths.upstreamSdk,
      PYTHONDONTWRITEBYTECODE: "1",
    };
  });
  afterAll(() => server.close());

  const suite = async (module: string) => {
    const res = await run(paths.python, ["-m", "unittest", "-v", module], { cwd: suiteDir, env, timeoutMs: 100_000 });
    console.log(`${module}: ${unittestCount(res.stderr)} tests, exit ${res.code}`);
    expect(res.stderr, res.stderr).toMatch(/\nOK\s*$/);
    expect(res.code).toBe(0);
    return unittestCount(res.stderr);
  };

  it("grpcio stubs generated from our proto/ with grpcio-tools: Create, Regenerate, Get, List, Delete over h2c", async () => {
    expect(await suite("test_grpcio_client")).toBe(3);
  }, 120_000);

  it("upstream-numbered client (Ona's descriptor from gitpod-sdk 1.2.0) over gRPC and Connect binary", async () => {
    // 2 transports x 4 client tests, and 3 checks of proto/ against the descriptor.
    expect(await suite("test_upstream_numbers")).toBe(11);
  }, 120_000);
});
