import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { interopPaths, run, unittestCount } from "../support/interop-tools.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const { python } = interopPaths(inject("interopCache"));
const suiteDir = new URL("./python/", import.meta.url).pathname;

describe("official Python SDK (gitpod-sdk 0.11.0) against the service on FerretDB", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: "mongodb" });
  });
  afterAll(() => server.close());

  it("passes the SDK suite: documents' examples, auto-paging, error classes", async () => {
    const listOrganizationId = randomUUID();
    const res = await run(python, ["-m", "unittest", "-v", "test_official_sdk"], {
      cwd: suiteDir,
      timeoutMs: 170_000,
      env: {
        GITPOD_BASE_URL: server.baseUrl,
        GITPOD_API_KEY: server.adminKey,
        SCIM_TEST_ORGANIZATION_ID: server.organizationId,
        SCIM_TEST_MEMBER_API_KEY: await server.key("member"),
        SCIM_TEST_LIST_ORGANIZATION_ID: listOrganizationId,
        SCIM_TEST_LIST_API_KEY: await server.key("admin", listOrganizationId),
        PYTHONDONTWRITEBYTECODE: "1",
      },
    });
    console.log(`official Python SDK suite: ${unittestCount(res.stderr)} tests, exit ${res.code}`);
    expect(res.stderr, res.stderr).toMatch(/\nOK\s*$/);
    expect(res.code).toBe(0);
    expect(unittestCount(res.stderr)).toBe(15);
  }, 180_000);
});
