import { randomUUID } from "node:crypto";
import type { ApiKeys } from "../domain/api-keys.js";
import type { Clock } from "../domain/clock.js";
import { NotFoundError, PermissionDeniedError, UnauthenticatedError } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { requireUuid } from "../domain/rules.js";
import type { ScimConfigurations } from "../domain/scim-configurations.js";
import { ValidationError } from "../domain/validation-error.js";
import type { Logger } from "../logger.js";
import type { ScimConfigurationRecord } from "../store/records.js";
import { StoreUnavailableError } from "../store/errors.js";
import { bareOrBearerToken } from "../server/authorization-header.js";
import { clientAddressOf } from "../server/client-address.js";
import type { AuthFailureLimiter } from "../server/rate-limit.js";
import { headerOf, readBody, sendJson, type HttpRequest, type HttpResponse, type HttpRouter } from "../server/http-router.js";

/** Unleash's error kinds and their statuses. */
type UnleashErrorName =
  | "AuthenticationRequired"
  | "NoAccessError"
  | "NotFoundError"
  | "ValidationError"
  | "ContentTypeError"
  | "ContentTooLarge"
  | "TooManyRequests"
  | "ServiceUnavailable"
  | "InternalError";
const STATUS: Record<UnleashErrorName, number> = {
  AuthenticationRequired: 401,
  NoAccessError: 403,
  NotFoundError: 404,
  ValidationError: 400,
  ContentTypeError: 415,
  ContentTooLarge: 413,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  InternalError: 500,
};

class UnleashError extends Error {
  constructor(
    readonly kind: UnleashErrorName,
    message: string,
    /** Seconds, for Retry-After (TooManyRequests). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const BODY_LIMIT = 16 * 1024;

export interface UnleashRoutesOptions {
  apiKeys: ApiKeys;
  scim: ScimConfigurations;
  clock: Clock;
  logger: Logger;
  /** Brute-force protection shared with the RPCs: bad keys from one address get 429 for a while. */
  authFailures?: AuthFailureLimiter;
}

/**
 * Unleash's SCIM settings routes, on the caller's organization's SCIM configuration:
 * GET/POST /api/admin/scim-settings and POST /api/admin/scim-settings/generate-new-token.
 * Token generation is RegenerateSCIMToken's code path, so the old token stops working at once
 * and the previous lifetime is kept.
 */
export function registerUnleashRoutes(router: HttpRouter, options: UnleashRoutesOptions): void {
  const route = (handler: (req: HttpRequest, res: HttpResponse, url: URL, principal: Principal) => Promise<void>) =>
    async (req: HttpRequest, res: HttpResponse, url: URL) => {
      try {
        const principal = await authenticate(req, options.apiKeys, options.authFailures);
        await handler(req, res, url, principal);
      } catch (err) {
        sendUnleashError(res, toUnleashError(err, options.logger));
      }
    };

  router.add(
    "GET",
    "/api/admin/scim-settings",
    route(async (_req, res, url, principal) => {
      const cfg = await selectConfiguration(options.scim, principal, url);
      sendJson(res, 200, { enabled: cfg.enabled, hasToken: cfg.tokenExpiresAt.getTime() > options.clock.now().getTime() });
    }),
  );

  router.add(
    "POST",
    "/api/admin/scim-settings",
    route(async (req, res, url, principal) => {
      requireAdminRole(principal);
      const body = await readJsonBody(req);
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw new UnleashError("ValidationError", "the body must be a JSON object like {\"enabled\": true}");
      const unknown = Object.keys(body).filter((k) => k !== "enabled");
      if (unknown.length > 0) throw new UnleashError("ValidationError", `unknown property "${unknown[0]}": the body takes only "enabled"`);
      const enabled = (body as { enabled?: unknown }).enabled;
      if (typeof enabled !== "boolean") throw new UnleashError("ValidationError", '"enabled" is required and must be a boolean');
      const cfg = await selectConfiguration(options.scim, principal, url);
      await options.scim.update(principal.organizationId, cfg.id, { enabled });
      sendJson(res, 200, undefined);
    }),
  );

  router.add(
    "POST",
    "/api/admin/scim-settings/generate-new-token",
    route(async (req, res, url, principal) => {
      requireAdminRole(principal);
      await readJsonBody(req, true);
      const cfg = await selectConfiguration(options.scim, principal, url);
      const issued = await options.scim.regenerateToken(principal.organizationId, cfg.id);
      sendJson(res, 200, { token: issued.token });
    }),
  );
}

async function authenticate(req: HttpRequest, apiKeys: ApiKeys, limiter: AuthFailureLimiter | undefined): Promise<Principal> {
  const client = clientAddressOf(req);
  const wait = limiter?.blockedFor(client) ?? 0;
  if (wait > 0) throw new UnleashError("TooManyRequests", `Too many failed authentications from this client; retry after ${wait} s.`, wait);
  const key = bareOrBearerToken(headerOf(req, "authorization"));
  if (key === undefined) {
    throw new UnleashError("AuthenticationRequired", "You must authenticate: send a management API key in the Authorization header.");
  }
  try {
    return await apiKeys.authenticate(key);
  } catch (err) {
    if (err instanceof UnauthenticatedError) limiter?.recordFailure(client);
    throw err;
  }
}

function requireAdminRole(principal: Principal): void {
  if (principal.role !== "admin") throw new UnleashError("NoAccessError", "This API key has the member role; changing SCIM settings needs an admin key.");
}

/** The organization's SCIM configuration: the one named by ?scimConfigurationId=, or the only one. */
async function selectConfiguration(scim: ScimConfigurations, principal: Principal, url: URL): Promise<ScimConfigurationRecord> {
  const named = url.searchParams.get("scimConfigurationId");
  if (named !== null) {
    return scim.get(principal.organizationId, requireUuid("scimConfigurationId", named));
  }
  const page = await scim.list(principal.organizationId, { limit: 2, afterId: undefined });
  if (page.items.length === 0) throw new UnleashError("NotFoundError", "This organization has no SCIM configuration; create one first.");
  if (page.items.length > 1) {
    throw new UnleashError("ValidationError", "This organization has several SCIM configurations; name one with ?scimConfigurationId=<id>.");
  }
  return page.items[0]!;
}

/** Reads a JSON body; with `optional`, an empty body is fine (generate-new-token takes none). */
async function readJsonBody(req: HttpRequest, optional = false): Promise<unknown> {
  const raw = await readBody(req, BODY_LIMIT);
  if (raw === undefined) throw new UnleashError("ContentTooLarge", `The body must be at most ${BODY_LIMIT} bytes.`);
  if (optional && raw.length === 0) return undefined;
  const contentType = headerOf(req, "content-type") ?? "";
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new UnleashError("ContentTypeError", `The body must be JSON, sent with Content-Type: application/json (got "${contentType.slice(0, 100)}").`);
  }
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new UnleashError("ValidationError", "The body is not valid JSON.");
  }
}

function toUnleashError(err: unknown, logger: Logger): UnleashError {
  if (err instanceof UnleashError) return err;
  if (err instanceof UnauthenticatedError) return new UnleashError("AuthenticationRequired", `Authentication failed: ${err.message}.`);
  if (err instanceof PermissionDeniedError) return new UnleashError("NoAccessError", err.message);
  if (err instanceof NotFoundError) return new UnleashError("NotFoundError", err.message);
  if (err instanceof ValidationError) return new UnleashError("ValidationError", err.message);
  if (err instanceof StoreUnavailableError) return new UnleashError("ServiceUnavailable", "The database is unavailable; retry later.");
  logger.error({ err }, "unexpected error in an Unleash-style route");
  return new UnleashError("InternalError", "Internal error.");
}

function sendUnleashError(res: HttpResponse, err: UnleashError): void {
  const headers: Record<string, string> = {};
  if (err.kind === "AuthenticationRequired") headers["www-authenticate"] = 'Bearer realm="scim-config-service"';
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  sendJson(res, STATUS[err.kind], { id: randomUUID(), name: err.kind, message: err.message }, headers);
}
