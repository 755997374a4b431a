import { randomUUID } from "node:crypto";
import { createContextKey } from "@connectrpc/connect";
import type { HttpRequest } from "./http-router.js";

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
}

const infos = new WeakMap<HttpRequest, RequestInfo>();

/** Printable, bounded and free of anything a log parser could trip on. */
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Starts the record of one request (the transport calls this first). */
export function beginRequest(req: HttpRequest, client: string): RequestInfo {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && WELL_FORMED_ID.test(given) ? given : randomUUID();
  const info: RequestInfo = { id, client };
  infos.set(req, info);
  return info;
}

/** The record of a request begun by the transport (undefined outside a served request, e.g. in unit tests). */
export function requestInfoOf(req: HttpRequest): RequestInfo | undefined {
  return infos.get(req);
}

/** The same record inside an RPC's context values. */
export const kRequestInfo = createContextKey<RequestInfo | undefined>(undefined, { description: "request info" });
