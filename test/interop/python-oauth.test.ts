import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { credentialsClient } from "../support/credentials-client.js";
import { interopPaths, run, unittestCount } from "../support/interop-tools.js";
import { createScimTenant } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const { python } = interopPaths(inject("interopCache"));
const suiteDir = new URL("./python/", import.meta.url).pathname;

describe("a standard OAuth 2.0 client library (requests-oauthlib 2.0.0) against /oauth2/token and /scim/v2 on FerretDB", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: "mongodb" });
  });
  afterAll(() => server.close());

  it("obtains a token by HTTP Basic and by the body, calls /scim/v2 with it, and raises the RFC 6749 errors", async () => {
    const tenant = await createScimTenant(server);
    const secret = await credentialsClient(server.baseUrl, server.adminKey).createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
    const res = await run(python, ["-m", "unittest", "-v", "test_oauth_client"], {
      cwd: suiteDir,
      timeoutMs: 60_000,
      env: {
        SCIM_BASE_URL: server.baseUrl,
        SCIM_CLIENT_ID: secret.clientId,
        SCIM_CLIENT_SECRET: secret.clientSecret,
        // oauthlib refuses plain http unless told this is a local test (its documented switch);
        // in production the service serves TLS (TLS_CERT_FILE, TLS_KEY_FILE) or sits behind it.
        OAUTHLIB_INSECURE_TRANSPORT: "1",
        PYTHONDONTWRITEBYTECODE: "1",
      },
    });
    console.log(`requests-oauthlib suite: ${unittestCount(res.stderr)} tests, exit ${res.code}`);
    expect(res.stderr, res.stderr).toMatch(/\nOK\s*$/);
    expect(res.code).toBe(0);
    expect(unittestCount(res.stderr)).toBe(3);
  }, 90_000);
});
