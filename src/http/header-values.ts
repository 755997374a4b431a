import type { HttpRequest } from "./http-router.js";

/**
 * The Authorization header as sent: one string, or every value when the request repeats it.
 * Node keeps only the first of a repeated Authorization in `req.headers` (as it does for a few
 * other headers), so a second one would pass unseen, and a proxy in front may have read the
 * other; rawHeaders keeps them all, in HTTP/1.1 and HTTP/2 alike.
 */
export function authorizationOf(req: HttpRequest): string | string[] | undefined {
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === "authorization") values.push(raw[i + 1]!);
  }
  return values.length <= 1 ? values[0] : values;
}
