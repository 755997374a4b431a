import type { ScimConfigurations } from "../domain/scim-configurations.js";
import type { ScimTokenRejection } from "../domain/scim-token-verifier.js";
import type { Logger } from "../logger.js";
import { StoreUnavailableError } from "../store/errors.js";
import { bearerToken } from "../server/authorization-header.js";
import { clientAddressOf } from "../server/client-address.js";
import type { AuthFailureLimiter } from "../server/rate-limit.js";
import { headerOf, sendJson, type HttpRequest, type HttpResponse, type HttpRouter } from "../server/http-router.js";
import { listResponse, schemas, SCHEMA, serviceProviderConfig } from "./scim-discovery-documents.js";

const SCIM_JSON = "application/scim+json";

const REJECTION_DETAIL: Record<ScimTokenRejection, string> = {
  missing: "Send the SCIM token as Authorization: Bearer <token>.",
  malformed: "The bearer token is not a SCIM token.",
  unknown: "The SCIM token is not valid; it may have been regenerated or its configuration deleted.",
  expired: "The SCIM token has expired; regenerate it.",
  disabled: "SCIM provisioning is disabled for this configuration.",
};

/**
 * SCIM 2.0 under /scim/v2, authenticated by the SCIM token an identity provider presents. Today
 * that is the discovery endpoints; resources (Users, Groups) answer 404 until they are built.
 */
export function registerScimRoutes(router: HttpRouter, scim: ScimConfigurations, logger: Logger, authFailures?: AuthFailureLimiter): void {
  const route = (handler: (req: HttpRequest, res: HttpResponse, url: URL, baseUrl: string) => void) => async (req: HttpRequest, res: HttpResponse, url: URL) => {
    try {
      const client = clientAddressOf(req);
      const wait = authFailures?.blockedFor(client) ?? 0;
      if (wait > 0) return sendScimError(res, 429, `Too many failed authentications from this client; retry after ${wait} s.`, { "retry-after": String(wait) });
      const verdict = await scim.verifyToken(bearerToken(headerOf(req, "authorization")));
      // Only guesses count: a real token that expired or whose configuration is disabled is not
      // one, and identity providers share addresses between tenants.
      if (!verdict.ok && (verdict.reason === "malformed" || verdict.reason === "unknown")) authFailures?.recordFailure(client);
      if (!verdict.ok) {
        const status = verdict.reason === "disabled" ? 403 : 401;
        const headers: Record<string, string> = status === 401 ? { "www-authenticate": `Bearer realm="SCIM"${verdict.reason === "missing" ? "" : ', error="invalid_token"'}` } : {};
        return sendScimError(res, status, REJECTION_DETAIL[verdict.reason], headers);
      }
      handler(req, res, url, baseUrlOf(req));
    } catch (err) {
      if (err instanceof StoreUnavailableError) return sendScimError(res, 503, "The service is temporarily unavailable; retry later.");
      logger.error({ err }, "unexpected error in a SCIM route");
      sendScimError(res, 500, "Internal error.");
    }
  };

  router.add("GET", "/scim/v2/ServiceProviderConfig", route((_req, res, _url, base) => sendScim(res, 200, serviceProviderConfig(base))));
  router.add("GET", "/scim/v2/ResourceTypes", route((_req, res) => sendScim(res, 200, listResponse([]))));
  router.add("GET", "/scim/v2/Schemas", route((_req, res, _url, base) => sendScim(res, 200, listResponse(schemas(base)))));
  router.add(
    "GET",
    "/scim/v2/Schemas/*",
    route((_req, res, url, base) => {
      const id = decodeURIComponent(url.pathname.slice("/scim/v2/Schemas/".length));
      const schema = schemas(base).find((s) => s.id === id);
      if (schema) sendScim(res, 200, schema);
      else sendScimError(res, 404, `Schema ${id} is not defined by this server.`);
    }),
  );
  // Everything else under /scim/v2 (Users, Groups, Bulk, Me, ResourceTypes/<id>): not served yet.
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    router.add(
      method,
      "/scim/v2/*",
      route((_req, res, url) => sendScimError(res, 404, `${url.pathname} is not supported by this server yet; see /scim/v2/ResourceTypes.`)),
    );
  }
}

function baseUrlOf(req: HttpRequest): string {
  const host = headerOf(req, ":authority") ?? headerOf(req, "host") ?? "localhost";
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? "https" : "http"}://${host}`;
}

function sendScim(res: HttpResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { "content-type": SCIM_JSON });
}

function sendScimError(res: HttpResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { schemas: [SCHEMA.error], status: String(status), detail }, { ...headers, "content-type": SCIM_JSON });
}
