import { authOutcomeOf } from "../../auth/auth-outcome.js";
import type { CredentialCheck } from "../../auth/credential-check.js";
import type { AuditContext } from "../../domain/audit/audit-entry.js";
import type { AuditTrail } from "../../domain/audit/audit-trail.js";
import { StoreUnavailableError } from "../../domain/errors.js";
import type { ScimConfigurationRecord } from "../../domain/records.js";
import { ScimError } from "../../domain/scim/scim-error.js";
import { clientAddressOf } from "../../http/client-address.js";
import { authorizationOf } from "../../http/header-values.js";
import { headerOf, type HttpRequest, type HttpResponse, type RequestUrl } from "../../http/http-router.js";
import { requestInfoOf, requestLogger } from "../../http/request-info.js";
import type { Logger } from "../../logging/logger.js";
import { auditContextOf, auditRefusal } from "../audit-context.js";
import type { ConfigurationLimiter } from "./configuration-limiter.js";
import { baseUrlOf, sendScimError } from "./scim-http.js";

/** What a SCIM handler gets: the request, the authenticated configuration and where links point. */
export interface ScimCall {
  req: HttpRequest;
  res: HttpResponse;
  url: RequestUrl;
  configuration: ScimConfigurationRecord;
  /** Scheme, host (and path prefix) of this API for Location, meta.location and $ref. */
  baseUrl: string;
  /** On whose behalf changes are made (the configuration) and through which request, for the audit trail. */
  audit: AuditContext;
}

export interface ScimRouteOptions {
  /** The one credential check (SCIM bearer tokens here). */
  credentials: CredentialCheck;
  /** The per-configuration rate limit. */
  limiter: ConfigurationLimiter;
  /** PUBLIC_BASE_URL, when set. */
  publicBaseUrl: string | undefined;
  /** Records refused calls an admin must see (disabled configuration, rate limited). */
  audit: AuditTrail;
  logger: Logger;
}

/**
 * Wraps a SCIM handler with what every /scim/v2 call needs, in this order: the token or OAuth
 * access token (401 with `WWW-Authenticate`, 403 for a disabled configuration or an address its
 * IP allowlist does not admit, 429 for a client blocked by failed guesses), the configuration's rate limit (429 with Retry-After), and the error mapping: a
 * ScimError as the SCIM Error schema, a database outage as 503, anything else as 500 with a
 * generic detail, logged with the request id (an internal failure is a bug, never bad input).
 */
export function createScimRoute(options: ScimRouteOptions) {
  return (handler: (call: ScimCall) => Promise<void> | void) =>
    async (req: HttpRequest, res: HttpResponse, url: RequestUrl): Promise<void> => {
      const info = requestInfoOf(req);
      try {
        const result = await options.credentials.scimToken(authorizationOf(req), clientAddressOf(req), headerOf(req, "user-agent"));
        if (info) info.auth = { credential: result.bearer, outcome: authOutcomeOf(result) };
        if (!result.ok) {
          await auditRefusal(options.audit, req, result.refusal);
          throw refusalError(result.refusal);
        }
        const configuration = result.principal.configuration;
        if (info) info.scimConfigurationId = configuration.id;
        const audit = auditContextOf(req, { kind: "scim_configuration", id: configuration.id });
        const wait = options.limiter.take(configuration.id);
        if (wait > 0) {
          await options.audit.refused(audit, configuration, "rate_limited");
          throw new ScimError(429, undefined, `Too many requests for this SCIM configuration; retry after ${wait} s.`, { "retry-after": String(wait) });
        }
        await handler({ req, res, url, configuration, baseUrl: baseUrlOf(req, options.publicBaseUrl), audit });
      } catch (err) {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (err instanceof ScimError) return sendScimError(res, err);
        if (err instanceof StoreUnavailableError) return sendScimError(res, new ScimError(503, undefined, "The service is temporarily unavailable; retry later.", { "retry-after": "1" }));
        requestLogger(info, options.logger).error({ err }, "unexpected error in a SCIM route");
        sendScimError(res, new ScimError(500, undefined, `Internal error; request id ${info?.id ?? "unknown"}.`));
      }
    };
}

function refusalError(refusal: { reason: string; detail: string; retryAfterSeconds?: number }): ScimError {
  if (refusal.reason === "blocked") {
    return new ScimError(429, undefined, `Too many failed authentications from this client; retry after ${refusal.retryAfterSeconds} s.`, {
      "retry-after": String(refusal.retryAfterSeconds),
    });
  }
  if (refusal.reason === "disabled" || refusal.reason === "address_not_allowed") return new ScimError(403, undefined, refusal.detail);
  const challenge = `Bearer realm="SCIM"${refusal.reason === "missing" ? "" : ', error="invalid_token"'}`;
  return new ScimError(401, undefined, refusal.detail, { "www-authenticate": challenge });
}
