import type { TestServer } from "./test-server.js";

/**
 * What the SCIM endpoint answers an identity provider presenting `token`: 200 valid, 401
 * unknown/expired/malformed, 403 disabled.
 */
export async function scimStatus(server: TestServer, token: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}
