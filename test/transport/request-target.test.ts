import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HttpRequest } from "../../src/http/http-router.js";
import { requestTargetProblem } from "../../src/transport/request-target.js";

/** The check without its shortcuts: every target and Host parsed as a URL. */
function parsedEveryTime(target: string, host: string | undefined): boolean {
  try {
    decodeURIComponent(new URL(target, "http://localhost").pathname);
    if (host) new URL(`http://${host}`);
    return true;
  } catch {
    return false;
  }
}

const request = (url: string, host?: string) => ({ url, headers: host === undefined ? {} : { host } }) as unknown as HttpRequest;

describe("request target check", () => {
  it("refuses exactly the targets and Host values that do not parse, with or without its shortcuts", () => {
    const char = fc.constantFrom(..."/?%#\\:@.aZ09-_~!$&'()*+,;= ", "%zz", "%41", "%E2%82", "%E2%82%AC", "é", "//", "[::1]", "\t", "\n");
    const target = fc.array(char, { maxLength: 12 }).map((parts) => parts.join(""));
    const host = fc.option(fc.constantFrom("localhost", "127.0.0.1:8080", "x:99999", "[::1]:443", "a b", "1.2.3.999", "example.com:", "x:65535", "x:65536"), { nil: undefined });
    fc.assert(
      fc.property(fc.oneof(target.map((t) => `/${t}`), target), host, (t, h) => {
        // Twice: the second answer for a Host comes from what the first remembered.
        for (let i = 0; i < 2; i++) expect(requestTargetProblem(request(t, h)) === undefined).toBe(parsedEveryTime(t, h));
      }),
      { numRuns: 3000 },
    );
  });

  it("names what is wrong", () => {
    expect(requestTargetProblem(request("/scim/v2/Schemas/%ZZ"))).toMatch(/malformed percent-escape/);
    expect(requestTargetProblem(request("http://x:99999/"))).toMatch(/is not a valid URL/);
    expect(requestTargetProblem(request("/", "x:99999"))).toMatch(/Host header "x:99999"/);
    expect(requestTargetProblem(request("/scim/v2/Users?filter=userName%20eq%20%22a%22", "localhost:8080"))).toBeUndefined();
  });
});
