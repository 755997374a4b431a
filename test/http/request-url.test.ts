import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestUrlOf } from "../../src/http/http-router.js";

/** What routes read, as the URL parser reads it: the reference for requestUrlOf's shortcut. */
function parsed(target: string): { pathname: string; query: [string, string][] } {
  const url = new URL(target, "http://localhost");
  return { pathname: url.pathname, query: [...url.searchParams] };
}

describe("request URL of a target", () => {
  it("reads path and query as the URL parser does, shortcut or not", () => {
    const pathPart = fc.constantFrom("a", "Users", "v2", "-", "_", "~", ".", "..", "/", "//", ".x", "x.", "%41", "%zz", "é", " ", "\\", "@", ":", "'");
    const queryPart = fc.constantFrom("a", "=", "&", "+", "%20", "%zz", "filter", "userName eq \"x\"", "é", "#", "?", "/", "..", ";");
    const target = fc.tuple(fc.array(pathPart, { maxLength: 8 }), fc.option(fc.array(queryPart, { maxLength: 8 }), { nil: undefined })).map(([p, q]) => `/${p.join("")}${q === undefined ? "" : `?${q.join("")}`}`);
    fc.assert(
      fc.property(target, (t) => {
        // Targets that do not parse never reach a route (request-target.ts answers them 400).
        fc.pre(URL.canParse(t, "http://localhost"));
        const url = requestUrlOf(t);
        expect({ pathname: url.pathname, query: [...url.searchParams] }).toEqual(parsed(t));
      }),
      { numRuns: 5000 },
    );
  });

  it("resolves dot segments and percent-escapes through the parser", () => {
    expect(requestUrlOf("/scim/v2/../v2/Users").pathname).toBe("/scim/v2/Users");
    expect(requestUrlOf("/scim/v2/Users/./x").pathname).toBe("/scim/v2/Users/x");
    expect(requestUrlOf("/scim/v2/Users?filter=userName%20eq%20%22a%22").searchParams.get("filter")).toBe('userName eq "a"');
    expect(requestUrlOf("/scim/v2/Users#frag").pathname).toBe("/scim/v2/Users");
  });
});
