import { LRUCache } from "lru-cache";
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
  return pathProblem(target) ?? authorityProblem("authority" in req ? req.authority : req.headers.host);
}

/** The path's problem, if any; the usual target (origin-form, no percent-escape in the path) without parsing it. */
function pathProblem(target: string): string | undefined {
  // "/x" cannot fail to parse against a base, and only a "%" can fail to decode. Parsed: "//x"
  // and "/\\x" (scheme-relative URLs, with an authority of their own) and targets with a tab or
  // line break (the URL parser drops them, which can make either of those).
  if (SHORTCUT.test(target)) {
    const query = target.indexOf("?");
    if (!(query === -1 ? target : target.slice(0, query)).includes("%")) return undefined;
  }
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
  return undefined;
}

const SHORTCUT = /^\/(?![/\\])[^\t\n\r]*$/;

// Verdicts on Host values ("" for a valid one): a service is called under a handful of names,
// and parsing one is most of what this check costs a request. Bounded like the allowlist's
// caches (a client that sends a new Host with every request only gets the parse it would get
// anyway).
const hostVerdicts = new LRUCache<string, string>({ max: 1_000 });

function authorityProblem(authority: string | undefined): string | undefined {
  if (authority === undefined || authority === "") return undefined;
  let problem = hostVerdicts.get(authority);
  if (problem === undefined) {
    try {
      new URL(`http://${authority}`);
      problem = "";
    } catch {
      problem = `the Host header ${quote(authority)} is not a valid host[:port]`;
    }
    hostVerdicts.set(authority, problem);
  }
  return problem === "" ? undefined : problem;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
