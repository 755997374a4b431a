/**
 * What protects the service and its tenants (scim.md, "Errors, limits, content"), through the
 * real /scim/v2: size limits (1,024 code points per string, 100 values per multi-valued
 * attribute, 1 MiB per body), a SCIM Error body on every error path (404, 405 with Allow, 415,
 * 400, 401), the per-configuration rate limit (429 with Retry-After, other configurations
 * unaffected), and no 5xx for any input (a fast-check fuzz of methods, paths, query parameters
 * and bodies against /Users, /Groups, /Bulk and .search).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scim } from "../support/scim-client.js";
import { STORE_KINDS, startTestServer, type TestServer } from "../support/test-server.js";
import { BULK_REQUEST, ENTERPRISE, ERROR_SCHEMA, expectScimError, GROUP_SCHEMA, newClient, PATCH_OP, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

describe.each(STORE_KINDS)("protection (%s)", (store) => {
  let server: TestServer;
  let c: ScimClient;
  beforeAll(async () => {
    server = await startTestServer({ store, env: { SCIM_RATE_PER_SECOND: "0" } });
    c = await newClient(server);
  });
  afterAll(() => server?.close());

  describe("size limits", () => {
    it("a string attribute of 1,025 code points is 400 invalidValue naming it; 1,024 astral characters are accepted", async () => {
      const emoji = "😀"; // one code point, two UTF-16 units
      const ok = await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "long-ok", title: emoji.repeat(1024) });
      expect(ok.status).toBe(201);
      expect([...ok.body.title]).toHaveLength(1024);
      for (const [path, body] of [
        ["title", { title: "a".repeat(1025) }],
        ["name.givenName", { name: { givenName: emoji.repeat(1025) } }],
        [`${ENTERPRISE}:department`, { [ENTERPRISE]: { department: "d".repeat(1025) } }],
        ["emails[0].value", { emails: [{ value: `${"e".repeat(1020)}@x.com` }] }],
      ] as const) {
        const res = await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: `long-${path}`, ...body });
        expectScimError(res, 400, "invalidValue");
        expect(res.body.detail).toContain(path);
        expect(res.body.detail).toMatch(/1024|1,024/);
      }
      const patched = await c.call("PATCH", `/Users/${ok.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "nickName", value: "n".repeat(1025) }] });
      expectScimError(patched, 400, "invalidValue");
      expect(patched.body.detail).toContain("nickName");
      const cert = "M".repeat(16_384);
      expect((await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "cert", x509Certificates: [{ value: cert }] })).status).toBe(201);
      expectScimError(await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "cert2", x509Certificates: [{ value: `${cert}M` }] }), 400, "invalidValue");
    });

    it("101 values of a multi-valued attribute is 400 invalidValue (100 are fine); members have no such limit", async () => {
      const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}@example.com`, type: "other" }));
      const hundred = await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "hundred", emails: emails(100) });
      expect(hundred.status).toBe(201);
      const over = await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "hundred-one", emails: emails(101) });
      expectScimError(over, 400, "invalidValue");
      expect(over.body.detail).toMatch(/emails/);
      const added = await c.call("PATCH", `/Users/${hundred.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: "emails", value: [{ value: "one-more@example.com" }] }] });
      expectScimError(added, 400, "invalidValue");
      expect(added.body.detail).toMatch(/emails/);

      const bulk = await c.call("POST", "/Bulk", {
        schemas: [BULK_REQUEST],
        Operations: Array.from({ length: 150 }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `m${i}`, data: { schemas: [USER_SCHEMA], userName: `member-${i}` } })),
      });
      const ids = (bulk.body.Operations as { location: string }[]).map((o) => o.location.split("/").pop()!);
      const group = await c.createGroup({ displayName: "Large", members: ids.map((value) => ({ value })) });
      expect(group.members).toHaveLength(150);
    });

    it("a body over 1 MiB is 413 as a SCIM error, on /Users, PATCH and /Bulk", async () => {
      const big = JSON.stringify({ schemas: [USER_SCHEMA], userName: "big", nickName: "x".repeat(1024 * 1024) });
      expectScimError(await c.call("POST", "/Users", big), 413);
      const u = await c.createUser({ userName: "big-target" });
      expectScimError(await c.call("PATCH", `/Users/${u.id}`, JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "title", value: "y".repeat(1024 * 1024) }] })), 413);
      expectScimError(await c.call("POST", "/Bulk", JSON.stringify({ schemas: [BULK_REQUEST], Operations: [], pad: "z".repeat(1024 * 1024) })), 413);
      expect((await c.filter("/Users", 'userName eq "big"')).totalResults).toBe(0);
    });
  });

  describe("a SCIM Error body on every error path", () => {
    it("404 for unknown paths and ids, 405 with Allow, 415, 400 for bad JSON, 401 without a token", async () => {
      for (const path of ["/Nope", "/Users/a/b", "/Groups/123", "/Users/00000000-0000-0000-0000-000000000000", "/ResourceTypes/Device", "/Schemas/urn:nope"]) {
        expectScimError(await c.call("GET", path), 404);
      }
      for (const [method, path, allow] of [
        ["DELETE", "/Users", "GET, POST"],
        ["PUT", "/Groups", "GET, POST"],
        ["GET", "/Bulk", "POST"],
        ["GET", "/Users/.search", "POST"],
        ["POST", "/ServiceProviderConfig", "GET"],
        ["GET", "/.search", "POST"],
      ] as const) {
        const res = await c.call(method, path, method === "GET" ? undefined : {});
        expectScimError(res, 405);
        expect(res.headers.get("allow")).toBe(allow);
      }
      const wrongType = await c.call("POST", "/Users", "userName=x", { "content-type": "application/x-www-form-urlencoded" });
      expectScimError(wrongType, 415);
      expectScimError(await c.call("POST", "/Users", "<User/>", { "content-type": "text/xml" }), 415);
      expect((await c.call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "plain-json" }, { "content-type": "application/json; charset=utf-8" })).status).toBe(201);
      for (const raw of ["{", "[1,", "nul", "", '{"userName": "x",}']) expectScimError(await c.call("POST", "/Users", raw), 400, "invalidSyntax");
      expectScimError(await c.call("POST", "/Users", [1, 2]), 400, "invalidSyntax");
      const noToken = await fetch(`${server.baseUrl}/scim/v2/Users`);
      expect(noToken.status).toBe(401);
      expect(noToken.headers.get("www-authenticate")).toBe('Bearer realm="SCIM"');
      expect(await noToken.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "401" });
      expectScimError(await scim(server, "not-a-token", "GET", "/Users"), 401);
    });
  });

  it("the per-configuration rate limit answers 429 with Retry-After; another configuration is unaffected", async () => {
    const limited = await startTestServer({ store, env: { SCIM_RATE_PER_SECOND: "5", SCIM_RATE_BURST: "5" } });
    try {
      const a = await newClient(limited);
      const b = await newClient(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await a.call("GET", "/Users?count=0")).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const sixth = await a.call("GET", "/ServiceProviderConfig");
      expectScimError(sixth, 429);
      expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await b.call("GET", "/Users?count=0")).status).toBe(200);
      // The bucket refills at 5 per second.
      await new Promise((r) => setTimeout(r, 450));
      expect((await a.call("GET", "/Users?count=0")).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("no input makes it answer 5xx (fuzz of methods, paths, query parameters and bodies)", async () => {
    const user = await c.createUser({ userName: "fuzz-target", emails: [{ value: "f@example.com", type: "work" }] });
    const group = await c.createGroup({ displayName: "fuzz-group", members: [{ value: user.id }] });
    const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("", "%", "%ZZ", "\u0000", "..", "😀", "a".repeat(300)));
    const filterish = fc.oneof(
      anyText,
      fc.constantFrom(
        'userName eq "x"',
        "userName eq",
        'emails[type eq "work"',
        'not (title pr) and (name.familyName co "a" or meta.created gt "2020-01-01T00:00:00Z")',
        'meta.created gt "not a date"',
        "((((((((((((((((((((((((((((((((((title pr))))))))))))))))))))))))))))))))))",
        'members[value eq "x"]',
        "externalId eq jyoung",
        "x eq 1e999",
        `id eq "${user.id}"`,
      ),
    );
    const query = fc
      .record(
        {
          filter: filterish,
          sortBy: fc.oneof(anyText, fc.constantFrom("userName", "emails", "meta.created", "name", "members")),
          sortOrder: anyText,
          startIndex: fc.oneof(anyText, fc.integer().map(String), fc.constantFrom("1e3", "99999999999999999999")),
          count: fc.oneof(anyText, fc.integer().map(String)),
          cursor: anyText,
          attributes: anyText,
          excludedAttributes: anyText,
        },
        { requiredKeys: [] },
      )
      .map((q) => Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"));
    const path = fc.oneof(
      fc.constantFrom("/Users", "/Groups", `/Users/${user.id}`, `/Groups/${group.id}`, "/Users/.search", "/Groups/.search", "/Bulk", "/Users/", "/Me", "/.search"),
      anyText.map((s) => `/Users/${encodeURIComponent(s)}`),
      anyText.map((s) => `/Groups/${encodeURIComponent(s)}`),
    );
    const attributeValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText, fc.constantFrom("True", "False", null, [], {}));
    const resourceBody = fc.dictionary(
      fc.oneof(
        fc.constantFrom("schemas", "userName", "displayName", "active", "emails", "name", "members", "id", "meta", "groups", "password", ENTERPRISE, "externalId", "manager", "x509Certificates", "name.givenName"),
        anyText,
      ),
      attributeValue,
      { maxKeys: 6 },
    );
    const patchBody = fc.record(
      {
        schemas: fc.oneof(fc.constant([PATCH_OP]), fc.jsonValue({ maxDepth: 1 })),
        Operations: fc.oneof(
          fc.array(
            fc.record(
              {
                op: fc.oneof(fc.constantFrom("add", "Replace", "remove", "move"), anyText),
                path: fc.oneof(filterish, fc.constantFrom("members", 'members[value eq "x"]', 'emails[type eq "work"].value', `${ENTERPRISE}:manager`, "manager")),
                value: attributeValue,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 4 },
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    );
    const bulkBody = fc.record({
      schemas: fc.constant([BULK_REQUEST]),
      failOnErrors: fc.oneof(fc.integer({ min: -2, max: 3 }), anyText),
      Operations: fc.array(
        fc.record(
          {
            method: fc.constantFrom("POST", "PUT", "PATCH", "DELETE", "GET", "post"),
            path: fc.oneof(fc.constantFrom("/Users", "/Groups", `/Users/${user.id}`, "/Users/bulkId:a", "Users"), anyText),
            bulkId: fc.oneof(fc.constantFrom("a", "b"), anyText),
            version: fc.oneof(fc.constant('W/"1"'), anyText),
            data: fc.oneof(resourceBody, patchBody, fc.constant({ schemas: [GROUP_SCHEMA], displayName: "g", members: [{ value: "bulkId:a" }] })),
          },
          { requiredKeys: ["method"] },
        ),
        { maxLength: 4 },
      ),
    });
    const body = fc.oneof(fc.constant(undefined), resourceBody, patchBody, bulkBody, fc.jsonValue({ maxDepth: 3 }), anyText);
    const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE");
    // Header values must be printable ASCII for fetch to send them at all.
    const headerText = fc.oneof(fc.constantFrom('W/"1"', '"1"', "*", 'W/"1", W/"2"', "W/", ""), fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)));
    const headers = fc.record({ "if-match": headerText, "if-none-match": headerText, "content-type": fc.constantFrom("application/scim+json", "application/json", "text/plain", "application/scim+json; charset=utf-8") }, { requiredKeys: [] });

    await fc.assert(
      fc.asyncProperty(method, path, query, body, headers, async (m, p, q, b, h) => {
        const sendBody = m === "GET" || m === "DELETE" ? undefined : b;
        const res = await c.call(m, `${p}${q ? `?${q}` : ""}`, sendBody === undefined ? undefined : typeof sendBody === "string" ? sendBody : JSON.stringify(sendBody), h);
        // 501 is /Me's and the root .search's documented answer, not a failure.
        const status = res.status === 501 && /^\/(Me|\.search)$/.test(p) ? 400 : res.status;
        expect(status, `${m} ${p}?${q} ${JSON.stringify(sendBody)?.slice(0, 300)} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.body?.schemas).toEqual([ERROR_SCHEMA]);
      }),
      { numRuns: 300 },
    );
  });
});
