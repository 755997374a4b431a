import { verifyScimToken } from "../../src/domain/scim-token-verifier.js";
import type { TestServer } from "./test-server.js";

/**
 * What the SCIM endpoint answers for a bearer token: 200 valid, 401 unknown/expired/malformed,
 * 403 disabled. It asks /scim/v2/ServiceProviderConfig over HTTP; only while that route does not
 * exist yet in this build (the fallback's plain 404) it asks the verifier the route is built on.
 */
export async function scimStatus(server: TestServer, token: string): Promise<{ status: number; via: "http" | "verifier" }> {
  const res = await fetch(`${server.baseUrl}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.text();
  if (res.status !== 404 || body !== JSON.stringify({ error: "not found" })) return { status: res.status, via: "http" };
  const verdict = await verifyScimToken(server.app.stores.scimConfigurations, server.app.clock, token);
  return { status: verdict.ok ? 200 : verdict.reason === "disabled" ? 403 : 401, via: "verifier" };
}
