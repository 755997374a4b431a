import { randomUUID } from "node:crypto";
import { clientFor } from "./clients.js";
import type { TestServer } from "./test-server.js";

/** A SCIM configuration of the test server's organization, with its token. */
export interface ScimTenant {
  scimConfigurationId: string;
  ssoConfigurationId: string;
  token: string;
}

/** Creates an SSO configuration and a SCIM configuration linked to it, through the RPCs. */
export async function createScimTenant(server: TestServer, options: { allowUnverifiedEmailAccountLinking?: boolean; organizationId?: string; adminKey?: string } = {}): Promise<ScimTenant> {
  const organizationId = options.organizationId ?? server.organizationId;
  const admin = clientFor("connect-json", server.baseUrl, options.adminKey ?? server.adminKey);
  const sso = await admin.createSSOConfiguration({
    organizationId,
    clientId: `client-${randomUUID()}`,
    clientSecret: "secret",
    issuerUrl: "https://idp.example.com",
    displayName: "IdP",
  });
  const scim = await admin.createSCIMConfiguration({
    organizationId,
    ssoConfigurationId: sso.ssoConfiguration!.id,
    allowUnverifiedEmailAccountLinking: options.allowUnverifiedEmailAccountLinking ?? false,
  });
  return { scimConfigurationId: scim.scimConfiguration!.id, ssoConfigurationId: sso.ssoConfiguration!.id, token: scim.token };
}

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Calls /scim/v2 as an identity provider does (application/scim+json, bearer token). */
export async function scim(server: TestServer, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
  const res = await fetch(`${server.baseUrl}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: "application/scim+json", ...(body !== undefined ? { "content-type": "application/scim+json" } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
