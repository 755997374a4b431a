import { authOutcomeOf } from "../auth/auth-outcome.js";
import type { ClientCredentials, CredentialCheck, Refusal } from "../auth/credential-check.js";
import type { AuditTrail } from "../domain/audit/audit-trail.js";
import { TOKEN_ENDPOINT_PATH, type OAuthClients } from "../domain/credentials/oauth-clients.js";
import { NotFoundError, StoreUnavailableError } from "../domain/errors.js";
import { clientAddressOf } from "../http/client-address.js";
import { authorizationOf } from "../http/header-values.js";
import { headerOf, readBody, type HttpRequest, type HttpResponse, type HttpRouter } from "../http/http-router.js";
import { requestInfoOf } from "../http/request-info.js";
import type { Logger } from "../logging/logger.js";
import { auditRefusal } from "./audit-context.js";

/** A token request is a few short parameters. */
const BODY_LIMIT = 16 * 1024;
/** The scopes a client may ask for: this server's access tokens do one thing. */
const SCOPES = new Set(["scim"]);

export interface OAuthTokenRouteOptions {
  credentials: CredentialCheck;
  oauthClients: OAuthClients;
  /** Records refused token requests an admin must see (disabled, outside the allowlist), throttled. */
  audit: AuditTrail;
  logger: Logger;
}

/** RFC 6749 §5.2 error codes, with the HTTP status each is answered with here. */
type OAuthErrorCode = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope" | "unauthorized_client" | "temporarily_unavailable";

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

const invalidRequest = (description: string) => new OAuthError(400, "invalid_request", description);
/** RFC 6749 §5.2: 401 with a challenge in the scheme clients authenticate with. */
const invalidClient = (description: string) => new OAuthError(401, "invalid_client", description, { "www-authenticate": 'Basic realm="oauth2", charset="UTF-8"' });

/**
 * POST /oauth2/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for SCIM. The client id is a
 * SCIM configuration's id and the secret one of its client secrets, sent by HTTP Basic
 * (§2.3.1, each part form-encoded) or as client_id and client_secret in the form body, never
 * both. The answer is a Bearer access token for /scim/v2 (§5.1), with Cache-Control: no-store;
 * errors are §5.2's JSON bodies. The credential goes through the one credential check, so the
 * brute-force limiter, the IP allowlist and the enabled flag apply as to a SCIM token.
 */
export function registerOAuthTokenRoute(router: HttpRouter, options: OAuthTokenRouteOptions): void {
  router.add("POST", TOKEN_ENDPOINT_PATH, async (req, res) => {
    try {
      const params = await readForm(req);
      const grant = params.get("grant_type");
      if (grant === undefined) throw invalidRequest("grant_type is required (client_credentials)");
      if (grant !== "client_credentials") throw new OAuthError(400, "unsupported_grant_type", `grant_type ${JSON.stringify(grant.slice(0, 50))} is not supported; this server issues tokens for client_credentials only`);
      const scope = params.get("scope");
      const unknownScope = scope?.split(" ").find((s) => s !== "" && !SCOPES.has(s));
      if (unknownScope !== undefined) throw new OAuthError(400, "invalid_scope", `scope ${JSON.stringify(unknownScope.slice(0, 50))} is not offered; leave scope out or ask for "scim"`);

      const result = await options.credentials.oauthClient(clientCredentialsOf(req, params), clientAddressOf(req), headerOf(req, "user-agent"));
      const info = requestInfoOf(req);
      if (info) info.auth = { credential: "oauth_client", outcome: authOutcomeOf(result) };
      if (!result.ok) {
        await auditRefusal(options.audit, req, result.refusal);
        throw refusalError(result.refusal);
      }
      const { configuration, secretId } = result.principal;
      if (info) info.scimConfigurationId = configuration.id;
      const issued = await options.oauthClients.issueAccessToken(configuration.id, secretId).catch((err: unknown) => {
        // The secret was revoked (or the configuration deleted) between the check and the write.
        throw err instanceof NotFoundError ? invalidClient("unknown client or wrong client secret") : err;
      });
      send(res, 200, {
        access_token: issued.accessToken,
        token_type: "Bearer",
        expires_in: issued.expiresInSeconds,
        ...(scope !== undefined && scope.trim() !== "" ? { scope: "scim" } : {}),
      });
    } catch (err) {
      if (err instanceof OAuthError) return send(res, err.status, { error: err.code, error_description: err.description }, err.headers);
      if (err instanceof StoreUnavailableError) return send(res, 503, { error: "temporarily_unavailable", error_description: "the database is unavailable; retry later" }, { "retry-after": "1" });
      const id = requestInfoOf(req)?.id;
      options.logger.error({ reqId: id, err }, "unexpected error at /oauth2/token");
      send(res, 500, { error: "server_error", error_description: `internal error; request id ${id ?? "unknown"}` });
    }
  });
  router.add("*", TOKEN_ENDPOINT_PATH, (_req, res) => send(res, 405, { error: "invalid_request", error_description: "use POST" }, { allow: "POST" }));
}

/** The form parameters (RFC 6749 §3.2: none repeated; an empty one counts as absent). */
async function readForm(req: HttpRequest): Promise<Map<string, string>> {
  const type = headerOf(req, "content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) throw invalidRequest("send the request as application/x-www-form-urlencoded");
  const raw = await readBody(req, BODY_LIMIT);
  if (raw === undefined) throw new OAuthError(413, "invalid_request", `the request body is larger than ${BODY_LIMIT} bytes`);
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(raw.toString("utf8"))) {
    if (value === "") continue;
    if (params.has(name)) throw invalidRequest(`parameter ${JSON.stringify(name.slice(0, 50))} must not be repeated`);
    params.set(name, value);
  }
  return params;
}

/** The client's credentials from one authentication method; two methods at once are refused (§2.3). */
function clientCredentialsOf(req: HttpRequest, params: Map<string, string>): ClientCredentials | undefined {
  const header = authorizationOf(req);
  if (Array.isArray(header)) throw invalidRequest("send exactly one Authorization header");
  const inBody = params.has("client_secret");
  if (header !== undefined) {
    if (inBody) throw invalidRequest("authenticate the client one way: HTTP Basic or client_secret in the body, not both");
    const basic = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header);
    if (!basic) throw invalidClient("the Authorization header must be HTTP Basic with the client id and secret");
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw invalidClient("HTTP Basic credentials must be client_id:client_secret");
    const clientId = formDecode(decoded.slice(0, colon));
    if (params.has("client_id") && params.get("client_id") !== clientId) throw invalidRequest("client_id in the body differs from the one in the Authorization header");
    return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)) };
  }
  if (!params.has("client_id")) return undefined;
  if (!inBody) throw invalidClient("client_secret is required: this server has confidential clients only");
  return { clientId: params.get("client_id")!, clientSecret: params.get("client_secret")! };
}

/** §2.3.1: Basic credentials are form-encoded before base64. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw invalidClient("HTTP Basic credentials are not form-encoded UTF-8");
  }
}

function refusalError(refusal: Refusal): OAuthError {
  switch (refusal.reason) {
    case "blocked":
      // RFC 6749 has no code for this; temporarily_unavailable says "retry later", with Retry-After.
      return new OAuthError(429, "temporarily_unavailable", refusal.detail, { "retry-after": String(refusal.retryAfterSeconds) });
    case "disabled":
    case "address_not_allowed":
      return new OAuthError(400, "unauthorized_client", refusal.detail);
    case "missing":
    case "invalid":
      return invalidClient(refusal.detail);
  }
}

function send(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  // §5.1: tokens and their errors must not be cached.
  res.writeHead(status, { ...headers, "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", pragma: "no-cache", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
