import type { HttpRequest } from "../http/http-router.js";

/**
 * Why a request's target cannot be served, or undefined when it can. Node's parsers accept a
 * request line such as `GET http://x:99999/` (absolute-form with a port out of range), a Host
 * header that is no host, and paths with malformed percent-escapes (`/scim/v2/Schemas/%ZZ`);
 * every route would otherwise meet them as an exception. They are the client's mistake, so
 * they are refused here, once, with 400 and no log line.
 */
export function requestTargetProblem(req: HttpRequest): string | undefined {
  const target = req.url ?? "";
  let url: URL;
  try {
    url = new URL(target, "http://localhost");
  } catch {
    return `the request target ${quote(target)} is not a valid URL`;
  }
  try {
    decodeURIComponent(url.pathname);
  } catch {
    return `the request path ${quote(url.pathname)} has a malformed percent-escape (% must be followed by two hex digits that encode UTF-8)`;
  }
  const authority = "authority" in req ? req.authority : req.headers.host;
  if (authority !== undefined && authority !== "") {
    try {
      new URL(`http://${authority}`);
    } catch {
      return `the Host header ${quote(authority)} is not a valid host[:port]`;
    }
  }
  return undefined;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
