/**
 * Random PATCH sequences through the real /scim/v2, applied to one User on a server backed by the
 * memory store and to the same User on a server backed by MongoDB, give the same answers: the same
 * status (and scimType) for every request, and the same rendered resource (minus id, meta and the
 * host in $ref) after each one. The operations come from a small schema-aware arbitrary: name.*,
 * title, displayName, emails (with type filters, Entra's create-on-no-match included), active
 * (real booleans and Entra's "True"/"False"), the enterprise department (URN path, path-less URN
 * key, extension object), in Okta's and Entra's spellings, and a few that are refused. Bounded:
 * 30 sequences of up to 10 requests.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type StoreKind, type TestServer } from "../support/test-server.js";
import { ENTERPRISE, newClient, PATCH_OP, USER_SCHEMA, type ScimClient } from "./scim-kit.js";

/** The two adapters compared. */
const COMPARED: [StoreKind, StoreKind] = ["memory", "mongodb"];

const text = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("Ada", "Grace", "Émile", "李雷", "O'Malley", "") }, { weight: 2, arbitrary: fc.string({ maxLength: 6 }) });
const email = fc.constantFrom("a@example.com", "b@example.org", "C@Example.com", "d@foo.test");
const emailType = fc.constantFrom("work", "home", "other");
const bool = fc.constantFrom<unknown>(true, false, "True", "False", "true", "FALSE");
const op = (name: "add" | "replace" | "remove") => fc.constantFrom(name, name[0]!.toUpperCase() + name.slice(1));

/** One PATCH operation, as Okta or Entra ID would write it. */
const operation: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ op: fc.oneof(op("add"), op("replace")), path: fc.constantFrom("name.givenName", "name.familyName", "name.formatted", "title", "displayName", "NAME.GIVENNAME"), value: text }),
  fc.record({ op: op("remove"), path: fc.constantFrom("name.givenName", "name.familyName", "title", "displayName", "name") }),
  fc.record({ op: op("replace"), path: fc.constant("name"), value: fc.record({ givenName: text, familyName: text }, { requiredKeys: [] }) }),
  fc.record({ op: fc.oneof(op("add"), op("replace")), path: fc.constant("active"), value: bool }),
  fc.record({ op: op("replace"), value: fc.record({ active: bool }) }),
  fc.record({ op: fc.oneof(op("add"), op("replace")), path: emailType.map((t) => `emails[type eq "${t}"].value`), value: email }),
  fc.record({ op: op("add"), path: fc.constant("emails"), value: fc.array(fc.record({ value: email, type: emailType, primary: fc.boolean() }, { requiredKeys: ["value"] }), { maxLength: 2 }) }),
  fc.record({ op: op("replace"), path: fc.constant("emails"), value: fc.array(fc.record({ value: email, type: emailType }), { maxLength: 2 }) }),
  fc.record({ op: op("remove"), path: emailType.map((t) => `emails[type eq "${t}"]`) }),
  fc.record({ op: fc.oneof(op("add"), op("replace")), path: fc.constant(`${ENTERPRISE}:department`), value: text }),
  fc.record({ op: op("remove"), path: fc.constantFrom(`${ENTERPRISE}:department`, ENTERPRISE) }),
  fc.record({ op: op("replace"), value: fc.record({ [`${ENTERPRISE}:department`]: text, "name.familyName": text }, { requiredKeys: [] }) }),
  fc.record({ op: op("add"), value: fc.record({ [ENTERPRISE]: fc.record({ department: text }), title: text }, { requiredKeys: [] }) }),
  // Refused requests (noTarget, invalidValue): neither store may keep any part of them.
  fc.record({ op: op("replace"), path: fc.constant('emails[value eq "nobody@example.com"].type'), value: emailType }),
  fc.record({ op: op("replace"), path: fc.constantFrom("title", "active"), value: fc.constantFrom<unknown>("x".repeat(1025), 42, "maybe") }),
);
const request = fc.array(operation, { minLength: 1, maxLength: 3 });
const sequence = fc.array(request, { minLength: 1, maxLength: 10 });

/** What must agree: status, scimType, and the resource without id, meta and the host in $ref. */
function comparable(server: TestServer, res: { status: number; body: any }): unknown {
  if (res.status !== 200) return { status: res.status, scimType: res.body?.scimType };
  const { id: _id, meta: _meta, ...rest } = res.body;
  return { status: 200, resource: JSON.parse(JSON.stringify(rest).replaceAll(server.baseUrl, "<base>")) };
}

describe(`random PATCH sequences agree across the two store adapters (${COMPARED[1]})`, () => {
  let servers: TestServer[] = [];
  let clients: ScimClient[] = [];
  beforeAll(async () => {
    servers = await Promise.all(COMPARED.map((store) => startTestServer({ store, env: { SCIM_RATE_PER_SECOND: "0" } })));
    clients = await Promise.all(servers.map((s) => newClient(s)));
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it("30 sequences of up to 10 PATCH requests give the same answers and the same resource", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(sequence, async (requests) => {
        const start = {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: `prop-${run++}`,
          name: { givenName: "Barbara", familyName: "Jensen" },
          displayName: "Babs",
          emails: [{ value: "b@example.com", type: "work", primary: true }],
          [ENTERPRISE]: { department: "Tours" },
        };
        const ids = await Promise.all(clients.map(async (c) => (await c.createUser(start)).id as string));
        for (const [i, operations] of requests.entries()) {
          const answers = await Promise.all(clients.map((c, k) => c.call("PATCH", `/Users/${ids[k]}`, { schemas: [PATCH_OP], Operations: operations })));
          const [a, b] = answers.map((res, k) => comparable(servers[k]!, res));
          expect(b, `request ${i}: ${JSON.stringify(operations)}`).toEqual(a);
        }
        const finals = await Promise.all(clients.map((c, k) => c.call("GET", `/Users/${ids[k]}`)));
        const [a, b] = finals.map((res, k) => comparable(servers[k]!, res));
        expect(b).toEqual(a);
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});
