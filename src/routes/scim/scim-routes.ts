import type { CredentialCheck } from "../../auth/credential-check.js";
import { StoreUnavailableError } from "../../domain/errors.js";
import { clientAddressOf } from "../../http/client-address.js";
import { authorizationOf } from "../../http/header-values.js";
import { requestInfoOf } from "../../http/request-info.js";
import { headerOf, sendJson, type HttpRequest, type HttpResponse, type HttpRouter } from "../../http/http-router.js";
import type { Logger } from "../../logging/logger.js";
import { listResponse, schemas, SCHEMA, serviceProviderConfig } from "./discovery-documents.js";

const SCIM_JSON = "application/scim+json";

/**
 * SCIM 2.0 under /scim/v2, authenticated by the SCIM token an identity provider presents. Today
 * that is the discovery endpoints; resources (Users, Groups) answer 404 until they are built.
 */
export function registerScimRoutes(router: HttpRouter, credentials: CredentialCheck, logger: Logger): void {
  const route = (handler: (req: HttpRequest, res: HttpResponse, url: URL, baseUrl: string) => void) => async (req: HttpRequest, res: HttpResponse, url: URL) => {
    try {
      const result = await credentials.scimToken(authorizationOf(req), clientAddressOf(req));
      if (!result.ok) {
        const { refusal } = result;
        if (refusal.reason === "blocked") {
          return sendScimError(res, 429, `Too many failed authentications from this client; retry after ${refusal.retryAfterSeconds} s.`, { "retry-after": String(refusal.retryAfterSeconds) });
        }
        if (refusal.reason === "disabled") return sendScimError(res, 403, refusal.detail);
        const challenge = `Bearer realm="SCIM"${refusal.reason === "missing" ? "" : ', error="invalid_token"'}`;
        return sendScimError(res, 401, refusal.detail, { "www-authenticate": challenge });
      }
      const info = requestInfoOf(req);
      if (info) info.scimConfigurationId = result.principal.configuration.id;
      handler(req, res, url, baseUrlOf(req));
    } catch (err) {
      if (err instanceof StoreUnavailableError) return sendScimError(res, 503, "The service is temporarily unavailable; retry later.");
      logger.error({ reqId: requestInfoOf(req)?.id, err }, "unexpected error in a SCIM route");
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
