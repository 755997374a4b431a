import { ScimError } from "../../domain/scim/scim-error.js";
import { SCIM_URN } from "../../domain/scim/schema.js";
import { headerOf, readBody, sendJson, type HttpRequest, type HttpResponse } from "../../http/http-router.js";

export const SCIM_JSON = "application/scim+json";

/** A request body larger than this is refused with 413 (scim.md; ServiceProviderConfig's bulk.maxPayloadSize). */
export const SCIM_BODY_LIMIT = 1024 * 1024;

export function sendScim(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { ...headers, "content-type": SCIM_JSON });
}

const PREPARED_HEADERS = { "content-type": SCIM_JSON, "cache-control": "no-store" } as const;

/** A body rendered once and sent many times (the discovery documents). */
export interface PreparedBody {
  bytes: Buffer;
  headers: Record<string, string | number>;
}

export function prepareScim(body: unknown): PreparedBody {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  return { bytes, headers: { ...PREPARED_HEADERS, "content-length": bytes.length } };
}

export function sendPrepared(res: HttpResponse, prepared: PreparedBody): void {
  res.writeHead(200, prepared.headers);
  res.end(prepared.bytes);
}

/** The SCIM Error schema (RFC 7644 §3.12): `status` as a string, `scimType` where the RFC defines one. */
export function errorBody(error: ScimError): Record<string, unknown> {
  return { schemas: [SCIM_URN.error], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.detail };
}

export function sendScimError(res: HttpResponse, error: ScimError): void {
  sendScim(res, error.status, errorBody(error), { ...error.headers });
}

/**
 * Reads a SCIM request body: `application/scim+json` or `application/json` (identity providers
 * send both), at most 1 MiB (413 beyond), UTF-8 JSON (400 invalidSyntax otherwise).
 */
export async function readScimJson(req: HttpRequest): Promise<unknown> {
  const contentType = headerOf(req, "content-type") ?? "";
  if (contentType !== "" && !/^application\/(scim\+)?json\s*(;|$)/i.test(contentType)) {
    throw new ScimError(415, undefined, `Send the body as application/scim+json or application/json (got ${JSON.stringify(contentType.slice(0, 100))}).`);
  }
  const raw = await readBody(req, SCIM_BODY_LIMIT);
  if (raw === undefined) throw new ScimError(413, undefined, `The request body is larger than ${SCIM_BODY_LIMIT} bytes (1 MiB).`);
  if (raw.length === 0) throw new ScimError(400, "invalidSyntax", "The request body is empty: send a JSON object.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new ScimError(400, "invalidSyntax", "The request body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ScimError(400, "invalidSyntax", `The request body is not valid JSON (${err instanceof Error ? err.message : "parse error"}).`);
  }
}

/**
 * Where this API is reached: PUBLIC_BASE_URL when set (a validated setting: the Host header is
 * the client's to choose, so building links from it would let a caller plant its own host in
 * `meta.location`), else the request's scheme and Host.
 */
export function baseUrlOf(req: HttpRequest, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl;
  const host = headerOf(req, ":authority") ?? headerOf(req, "host") ?? "localhost";
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? "https" : "http"}://${/^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? host : "localhost"}`;
}
