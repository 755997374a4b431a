import { cors as connectCors } from "@connectrpc/connect";
import { headerOf } from "../http/http-router.js";
import type { RequestHandler } from "../http/http-router.js";

/** Connect's lists plus Authorization, which every management call carries. */
export const CORS_ALLOWED_HEADERS = [...connectCors.allowedHeaders, "Authorization"];
export const CORS_ALLOWED_METHODS = [...connectCors.allowedMethods];
export const CORS_EXPOSED_HEADERS = [...connectCors.exposedHeaders];
/** Browsers cap this anyway (Chromium at 2 hours); it saves a preflight per call. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

export interface CorsOptions {
  /** Exact origins (`https://admin.example.com`) allowed to call from a browser; "*" allows any. */
  origins: readonly string[];
}

/**
 * Wraps the whole request handler, so the RPCs (Connect, gRPC-web) and the plain REST routes get
 * the same CORS answers. No origins configured means no CORS headers at all: a browser then only
 * reaches the service from its own origin (the console at /console/). Credentials (cookies) are
 * never allowed: callers authenticate with an Authorization header, not with a cookie.
 */
export function withCors(handler: RequestHandler, options: CorsOptions): RequestHandler {
  if (options.origins.length === 0) return handler;
  const anyOrigin = options.origins.includes("*");
  const allowed = new Set(options.origins.map((o) => o.toLowerCase()));
  const allowOrigin = (origin: string): string | undefined => {
    if (anyOrigin) return "*";
    return allowed.has(origin.toLowerCase()) ? origin : undefined;
  };

  return (req, res) => {
    const origin = headerOf(req, "origin") || undefined;
    if (origin === undefined) {
      // Answers differ by Origin, so caches must know even when this request had none.
      res.setHeader("vary", "Origin");
      return handler(req, res);
    }
    const allowedOrigin = allowOrigin(origin);

    if (req.method === "OPTIONS" && headerOf(req, "access-control-request-method")) {
      if (allowedOrigin === undefined) {
        // No CORS headers: the browser refuses the call and shows the reason in its console.
        res.writeHead(403, { vary: "Origin", "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: `origin ${origin} is not in CORS_ORIGINS` }));
        return;
      }
      res.writeHead(204, {
        "access-control-allow-origin": allowedOrigin,
        "access-control-allow-methods": CORS_ALLOWED_METHODS.join(", "),
        "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
        "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
        vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
      });
      res.end();
      return;
    }

    res.setHeader("vary", "Origin");
    if (allowedOrigin !== undefined) {
      res.setHeader("access-control-allow-origin", allowedOrigin);
      res.setHeader("access-control-expose-headers", CORS_EXPOSED_HEADERS.join(", "));
    }
    handler(req, res);
  };
}
