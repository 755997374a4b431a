import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { createContextKey } from "@connectrpc/connect";
import type { Logger } from "../logging/logger.js";

/** http-router.ts's HttpRequest, spelled out: the router records each request's route here, so this module must not import it. */
type HttpRequest = IncomingMessage | Http2ServerRequest;

/**
 * What a request called, as a bounded name the metrics can use as a label: an RPC's procedure
 * (`gitpod.v1.OrganizationService/GetSCIMConfiguration`) or an HTTP route's template
 * (`/scim/v2/Users/*`), never the raw path, which carries ids.
 */
export interface RouteName {
  readonly kind: "rpc" | "http";
  readonly name: string;
}

/** How a credential check went, for the metrics: the kind of credential and the outcome (ok, missing, expired, blocked, ...). */
export interface AuthOutcome {
  readonly credential: "api_key" | "scim_token" | "oauth_access_token" | "oauth_client";
  readonly outcome: string;
}

/**
 * What the access log says of one request, filled in by whoever learns it: the transport (id,
 * client), the credential check's callers (who), the RPC error mapping or a route (outcome).
 */
export interface RequestInfo {
  /** From a well-formed `x-request-id` request header, else generated; echoed on the response. */
  readonly id: string;
  /** The client address the limits and the log use. */
  readonly client: string;
  /** The management API key that authenticated the call (its id, never the key). */
  apiKeyId?: string;
  /** The SCIM configuration whose token authenticated the call. */
  scimConfigurationId?: string;
  /** The outcome in the protocol's words when the HTTP status alone does not say it (a gRPC status, a Connect code). */
  code?: string;
  /** What was called (set by the RPC handler or the HTTP router that found it). */
  route?: RouteName;
  /** The outcome of the request's credential check, where it had one. */
  auth?: AuthOutcome;
  /** The request's own logger, made on first use by requestLogger. */
  logger?: Logger;
}

// Kept on the request itself under a symbol: a WeakMap keyed by every request costs a table
// entry per request that each young-generation GC has to visit until the request dies.
const kInfo = Symbol("request info");
type WithInfo = HttpRequest & { [kInfo]?: RequestInfo };

/** Printable, bounded and free of anything a log parser could trip on. */
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Starts the record of one request (the transport calls this first). */
export function beginRequest(req: HttpRequest, client: string): RequestInfo {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && WELL_FORMED_ID.test(given) ? given : randomUUID();
  const info: RequestInfo = { id, client };
  (req as WithInfo)[kInfo] = info;
  return info;
}

/** The record of a request begun by the transport (undefined outside a served request, e.g. in unit tests). */
export function requestInfoOf(req: HttpRequest): RequestInfo | undefined {
  return (req as WithInfo)[kInfo];
}

/** The same record inside an RPC's context values. */
export const kRequestInfo = createContextKey<RequestInfo | undefined>(undefined, { description: "request info" });

/**
 * The logger for anything written while serving a request: a pino child of `base` that adds the
 * request id (`reqId`, as on the access log line) to every line, made on first use so a request
 * that logs nothing pays nothing. Outside a served request, `base` itself.
 */
export function requestLogger(info: RequestInfo | undefined, base: Logger): Logger {
  if (!info) return base;
  return (info.logger ??= base.child({ reqId: info.id }));
}
