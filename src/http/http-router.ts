import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { requestInfoOf, type RouteName } from "./request-info.js";

export type HttpRequest = IncomingMessage | Http2ServerRequest;
/** Serves one request of either HTTP version (the listener's, the Connect adapter's, CORS's). */
export type RequestHandler = (req: HttpRequest, res: ServerResponse | Http2ServerResponse) => void;
/** The part of an HTTP/1.1 or HTTP/2 compat response that the plain routes use. */
export interface HttpResponse {
  readonly headersSent: boolean;
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): unknown;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(chunk?: string | Uint8Array): unknown;
  addTrailers(headers: Record<string, string>): unknown;
}
/** What a route reads of the request target: its path and its query. */
export interface RequestUrl {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}
export type HttpHandler = (req: HttpRequest, res: HttpResponse, url: RequestUrl) => Promise<void> | void;

// A path of plain characters, with no dot segment, is its own pathname: nothing in it that the
// URL parser would percent-encode, decode or resolve. The query is read as URL's searchParams
// reads it (printable ASCII but "#"). Anything else (percent-escapes or other characters in the
// path, dot segments, a fragment, absolute form) is parsed;
// parsing every target was a tenth of a SCIM call's own CPU.
const PLAIN_TARGET = /^\/[A-Za-z0-9\-_.~/]*(?:\?[!"$-~]*)?$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|\?|$)/;

/** The path and query of a request target, as `new URL(target, "http://localhost")` reads them. */
export function requestUrlOf(target: string): RequestUrl {
  if (target.charCodeAt(1) !== 47 && PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target)) {
    const query = target.indexOf("?");
    return query === -1
      ? { pathname: target, searchParams: new URLSearchParams() }
      : { pathname: target.slice(0, query), searchParams: new URLSearchParams(target.slice(query)) };
  }
  return new URL(target, "http://localhost");
}

interface Route {
  method: string;
  path: string;
  handler: HttpHandler;
  /** The path as the request record's route (the template, for the metrics). */
  name: RouteName;
}

/**
 * A small router for the plain HTTP routes that share the port with the RPCs (health,
 * Unleash-style admin, SCIM). A path matches exactly, or, when it ends in "/*", every path under
 * that prefix (exact paths win). It answers 405 with Allow for a known path and a wrong method,
 * unless a route of method "*" takes the path's other methods.
 */
export class HttpRouter {
  /** Routes by exact path: one map probe per request instead of a pass over every route. */
  private readonly exact = new Map<string, Route[]>();
  private readonly prefixed: Route[] = [];

  add(method: string, path: string, handler: HttpHandler): this {
    const route = { method, path, handler, name: { kind: "http", name: path } as const };
    if (path.endsWith("/*")) this.prefixed.push(route);
    else this.exact.set(path, [...(this.exact.get(path) ?? []), route]);
    return this;
  }

  /** Handles the request and returns true, or returns false when no route has the path. */
  async handle(req: HttpRequest, res: HttpResponse): Promise<boolean> {
    const url = requestUrlOf(req.url ?? "/");
    let matches = this.exact.get(url.pathname) ?? [];
    if (matches.length === 0) {
      // The longest matching prefix is the most specific route.
      matches = this.prefixed.filter((r) => url.pathname.startsWith(r.path.slice(0, -1))).sort((a, b) => b.path.length - a.path.length);
      matches = matches.filter((r) => r.path === matches[0]?.path);
    }
    if (matches.length === 0) return false;
    const info = requestInfoOf(req);
    if (info) info.route = matches[0]!.name;
    const method = req.method === "HEAD" ? "GET" : req.method;
    // "*" serves every method the path has no route of its own for (a 405 in its own format).
    const route = matches.find((r) => r.method === method) ?? matches.find((r) => r.method === "*");
    if (!route) {
      sendJson(res, 405, { error: "method not allowed" }, { allow: matches.map((r) => r.method).join(", ") });
      return true;
    }
    await route.handler(req, res, url);
    return true;
  }
}

export function sendJson(res: HttpResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  const h: Record<string, string | number> = { ...headers, "cache-control": "no-store" };
  if (text !== "") {
    h["content-type"] ??= "application/json";
    h["content-length"] = Buffer.byteLength(text);
  }
  res.writeHead(status, h);
  res.end(text);
}

/**
 * Reads a request body up to `limit` bytes. Resolves undefined when the body is larger (the
 * caller answers 413), and never buffers more than the limit.
 */
export function readBody(req: HttpRequest, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A request header's value (the first, if repeated), or undefined. */
export function headerOf(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
