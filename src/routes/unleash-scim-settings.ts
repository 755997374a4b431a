import { randomUUID } from "node:crypto";
import { authOutcomeOf } from "../auth/auth-outcome.js";
import type { CredentialCheck } from "../auth/credential-check.js";
import type { Clock } from "../domain/clock.js";
import { NotFoundError, PermissionDeniedError, StoreUnavailableError, UnauthenticatedError } from "../domain/errors.js";
import { requireAdmin, type Principal } from "../domain/principal.js";
import { tokenExpiresAt, type ScimConfigurationRecord } from "../domain/records.js";
import { requireUuid } from "../domain/rules.js";
import type { ScimConfigurations } from "../domain/scim-configurations.js";
import { ValidationError } from "../domain/validation-error.js";
import { clientAddressOf } from "../http/client-address.js";
import { authorizationOf } from "../http/header-values.js";
import { requestInfoOf, requestLogger } from "../http/request-info.js";
import { headerOf, readBody, sendJson, type HttpRequest, type HttpResponse, type HttpRouter, type RequestUrl } from "../http/http-router.js";
import { auditContextOf } from "./audit-context.js";
import type { Logger } from "../logging/logger.js";

/** Unleash's error kinds and their statuses. */
type UnleashErrorName =
  | "AuthenticationRequired"
  | "NoAccessError"
  | "NotFoundError"
  | "MethodNotAllowedError"
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
  MethodNotAllowedError: 405,
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
    /** The methods the path takes, for Allow (MethodNotAllowedError). */
    readonly allow?: string,
  ) {
    super(message);
  }
}

const BODY_LIMIT = 16 * 1024;

export interface UnleashRoutesOptions {
  /** The one credential check (management API keys, with or without Bearer here). */
  credentials: CredentialCheck;
  /** The SCIM configuration use cases (the same code path as the RPCs). */
  scim: ScimConfigurations;
  /** For `hasToken`: whether the current token has expired. */
  clock: Clock;
  logger: Logger;
}

/**
 * Unleash's SCIM settings routes, on the caller's organization's SCIM configuration:
 * GET/POST /api/admin/scim-settings and POST /api/admin/scim-settings/generate-new-token.
 * Token generation is RegenerateSCIMToken's code path, so the old token stops working at once
 * and the previous lifetime is kept.
 */
export function registerUnleashRoutes(router: HttpRouter, options: UnleashRoutesOptions): void {
  const route = (handler: (req: HttpRequest, res: HttpResponse, url: RequestUrl, principal: Principal) => Promise<void>) =>
    async (req: HttpRequest, res: HttpResponse, url: RequestUrl) => {
      try {
        const principal = await authenticate(req, options.credentials);
        await handler(req, res, url, principal);
      } catch (err) {
        sendUnleashError(res, toUnleashError(err, requestLogger(requestInfoOf(req), options.logger)));
      }
    };

  router.add(
    "GET",
    "/api/admin/scim-settings",
    route(async (_req, res, url, principal) => {
      const cfg = await selectConfiguration(options.scim, principal, url);
      sendJson(res, 200, { enabled: cfg.enabled, hasToken: tokenExpiresAt(cfg).getTime() > options.clock.now().getTime() });
    }),
  );

  router.add(
    "POST",
    "/api/admin/scim-settings",
    route(async (req, res, url, principal) => {
      requireAdmin(principal);
      const body = await readJsonBody(req);
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw new UnleashError("ValidationError", "the body must be a JSON object like {\"enabled\": true}");
      const unknown = Object.keys(body).filter((k) => k !== "enabled");
      if (unknown.length > 0) throw new UnleashError("ValidationError", `unknown property "${unknown[0]}": the body takes only "enabled"`);
      const enabled = (body as { enabled?: unknown }).enabled;
      if (typeof enabled !== "boolean") throw new UnleashError("ValidationError", '"enabled" is required and must be a boolean');
      const cfg = await selectConfiguration(options.scim, principal, url);
      await options.scim.update(principal.organizationId, cfg.id, { enabled }, auditContextOf(req, { kind: "api_key", id: principal.apiKeyId }));
      sendJson(res, 200, undefined);
    }),
  );

  router.add(
    "POST",
    "/api/admin/scim-settings/generate-new-token",
    route(async (req, res, url, principal) => {
      requireAdmin(principal);
      await readJsonBody(req, true);
      const cfg = await selectConfiguration(options.scim, principal, url);
      const issued = await options.scim.regenerateToken(principal.organizationId, cfg.id, undefined, auditContextOf(req, { kind: "api_key", id: principal.apiKeyId }));
      sendJson(res, 200, { token: issued.token });
    }),
  );
  registerUnleashMisses(router);
}

/**
 * A wrong method or an unknown path under /api/admin/scim-settings answers in Unleash's error
 * form too (`MethodNotAllowedError` is this service's name for 405; Unleash has none), before
 * any authentication: neither reveals anything about an organization.
 */
function registerUnleashMisses(router: HttpRouter): void {
  const notAllowed = (allow: string) => (req: HttpRequest, res: HttpResponse) =>
    sendUnleashError(res, new UnleashError("MethodNotAllowedError", `${req.method} is not allowed on this route; use ${allow}.`, undefined, allow));
  router.add("*", "/api/admin/scim-settings", notAllowed("GET, POST"));
  router.add("*", "/api/admin/scim-settings/generate-new-token", notAllowed("POST"));
  router.add("*", "/api/admin/scim-settings/*", (_req, res, url) =>
    sendUnleashError(
      res,
      new UnleashError("NotFoundError", `${url.pathname} is not a route; the SCIM settings routes are GET and POST /api/admin/scim-settings and POST /api/admin/scim-settings/generate-new-token.`),
    ),
  );
}

async function authenticate(req: HttpRequest, credentials: CredentialCheck): Promise<Principal> {
  const result = await credentials.managementKey(authorizationOf(req), clientAddressOf(req), true);
  const info = requestInfoOf(req);
  if (info) info.auth = { credential: "api_key", outcome: authOutcomeOf(result) };
  if (result.ok) {
    if (info) info.apiKeyId = result.principal.apiKeyId;
    return result.principal;
  }
  const { refusal } = result;
  if (refusal.reason === "blocked") throw new UnleashError("TooManyRequests", `Too many failed authentications from this client; retry after ${refusal.retryAfterSeconds} s.`, refusal.retryAfterSeconds);
  if (refusal.reason === "missing") throw new UnleashError("AuthenticationRequired", "You must authenticate: send a management API key in the Authorization header.");
  throw new UnleashError("AuthenticationRequired", `Authentication failed: ${refusal.detail}.`);
}

/** The organization's SCIM configuration: the one named by ?scimConfigurationId=, or the only one. */
async function selectConfiguration(scim: ScimConfigurations, principal: Principal, url: RequestUrl): Promise<ScimConfigurationRecord> {
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

/** `logger` is the request's (its lines carry the request id). */
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
  if (err.allow !== undefined) headers.allow = err.allow;
  sendJson(res, STATUS[err.kind], { id: randomUUID(), name: err.kind, message: err.message }, headers);
}
