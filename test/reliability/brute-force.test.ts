import { request as httpRequest, Agent } from "node:http";
import http2 from "node:http2";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Brute force: one client address presenting bad management keys or SCIM tokens is refused with
 * resource_exhausted / 429 and Retry-After once it has used up its failures, on every route
 * kind, while a well-behaved client at another address (127.0.0.2, still loopback) keeps working.
 */
const FAILURES_PER_MINUTE = 5;
const ATTACKER = "127.0.0.1";
const NEIGHBOUR = "127.0.0.2";
const BAD_KEY = "scimadm_" + "A".repeat(46);
const BAD_SCIM_TOKEN = "scim_" + "B".repeat(46);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const agents = new Map<string, Agent>();
afterAll(() => {
  for (const agent of agents.values()) agent.destroy();
});
function agentFor(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (!agent) agents.set(localAddress, (agent = new Agent({ keepAlive: true, localAddress })));
  return agent;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(from: string, method: string, path: string, authorization: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${server!.baseUrl}${path}`,
      { method, agent: agentFor(from), headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) } },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const rpc = (from: string, key: string, method = "ListSCIMConfigurations", body = "{}") =>
  call(from, "POST", `/gitpod.v1.OrganizationService/${method}`, `Bearer ${key}`, body);

function expectRetryAfter(a: Answer): void {
  const retryAfter = Number(a.headers["retry-after"]);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60 / FAILURES_PER_MINUTE);
}

async function grpcStatus(key: string): Promise<string | undefined> {
  const session = http2.connect(server!.baseUrl);
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": "/gitpod.v1.OrganizationService/ListSCIMConfigurations", "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${key}` });
      let status: string | undefined;
      stream.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
      stream.on("trailers", (t) => (status = t["grpc-status"] as string | undefined));
      stream.on("data", () => undefined);
      stream.on("error", reject);
      stream.on("close", () => resolve(status));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  } finally {
    session.close();
  }
}

describe("brute force", () => {
  it("bad management keys: unauthenticated, then resource_exhausted with Retry-After on Connect and gRPC; others unaffected", async () => {
    // No lookup budget for a blocked address here, so that every guess below is refused unchecked
    // (test/security/neighbour-lockout.test.ts covers the budget).
    server = await startTestServer({ env: { AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE), AUTH_BLOCKED_LOOKUPS_PER_MINUTE: "0" } });
    const goodKey = server.adminKey;
    expect((await rpc(ATTACKER, goodKey)).status).toBe(200); // successes never count

    // The neighbour keeps working all through the attack.
    let attacking = true;
    const neighbour = (async () => {
      const statuses: number[] = [];
      while (attacking) statuses.push((await rpc(NEIGHBOUR, goodKey)).status);
      return statuses;
    })();

    for (let i = 0; i < FAILURES_PER_MINUTE; i++) {
      const a = await rpc(ATTACKER, BAD_KEY);
      expect(a.status).toBe(401);
      expect(JSON.parse(a.body).code).toBe("unauthenticated");
    }
    const blocked: Answer[] = [];
    for (let i = 0; i < 200; i++) blocked.push(await rpc(ATTACKER, `${BAD_KEY.slice(0, -4)}${String(i).padStart(4, "0")}`));
    attacking = false;
    for (const a of blocked) {
      expect(a.status).toBe(429);
      expect(JSON.parse(a.body).code).toBe("resource_exhausted");
      expectRetryAfter(a);
    }
    // gRPC from the same address: RESOURCE_EXHAUSTED (8) as well.
    expect(await grpcStatus(BAD_KEY)).toBe("8");
    // While blocked, a key that authenticated here before is still checked (a neighbour's
    // failures never lock out a valid client), but a key not known good here is refused
    // unchecked: looking it up would tell a guesser which of its keys is real.
    expect((await rpc(ATTACKER, goodKey)).status).toBe(200);
    expect((await rpc(ATTACKER, await server.key("member"))).status).toBe(429);

    const statuses = await neighbour;
    expect(statuses.length).toBeGreaterThan(5);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it("bad SCIM tokens on /scim/v2 and bad keys on the Unleash routes: 401, then 429 with Retry-After", async () => {
    server = await startTestServer({ env: { AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE) } });
    const sso = JSON.parse((await rpc(NEIGHBOUR, server.adminKey, "CreateSSOConfiguration", JSON.stringify({ organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" }))).body);
    const scim = JSON.parse((await rpc(NEIGHBOUR, server.adminKey, "CreateSCIMConfiguration", JSON.stringify({ organizationId: server.organizationId, ssoConfigurationId: sso.ssoConfiguration.id }))).body);
    const scimPath = "/scim/v2/ServiceProviderConfig";

    // A real token of a disabled configuration is not a guess and never counts (403 each time).
    const setEnabled = (enabled: boolean) =>
      rpc(NEIGHBOUR, server!.adminKey, "UpdateSCIMConfiguration", JSON.stringify({ scimConfigurationId: scim.scimConfiguration.id, enabled }));
    expect((await setEnabled(false)).status).toBe(200);
    for (let i = 0; i < 3 * FAILURES_PER_MINUTE; i++) expect((await call(ATTACKER, "GET", scimPath, `Bearer ${scim.token}`)).status).toBe(403);
    expect((await setEnabled(true)).status).toBe(200);
    // Unknown tokens do.
    for (let i = 0; i < FAILURES_PER_MINUTE; i++) expect((await call(ATTACKER, "GET", scimPath, `Bearer ${BAD_SCIM_TOKEN}`)).status).toBe(401);
    const limited = await call(ATTACKER, "GET", scimPath, `Bearer ${BAD_SCIM_TOKEN}`);
    expect(limited.status).toBe(429);
    expect(limited.headers["content-type"]).toContain("application/scim+json");
    expectRetryAfter(limited);
    expect((await call(NEIGHBOUR, "GET", scimPath, `Bearer ${scim.token}`)).status).toBe(200);

    // The Unleash routes share the limiter: the attacker is blocked there too, with Unleash's error shape.
    const unleash = await call(ATTACKER, "GET", "/api/admin/scim-settings", BAD_KEY);
    expect(unleash.status).toBe(429);
    expect(JSON.parse(unleash.body).name).toBe("TooManyRequests");
    expectRetryAfter(unleash);
    expect((await call(NEIGHBOUR, "GET", "/api/admin/scim-settings", server.adminKey)).status).toBe(200);
  });

  it("Unleash routes count bad keys on their own", async () => {
    server = await startTestServer({ env: { AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE) } });
    for (let i = 0; i < FAILURES_PER_MINUTE; i++) expect((await call(ATTACKER, "POST", "/api/admin/scim-settings/generate-new-token", BAD_KEY)).status).toBe(401);
    const limited = await call(ATTACKER, "POST", "/api/admin/scim-settings/generate-new-token", BAD_KEY);
    expect(limited.status).toBe(429);
    expectRetryAfter(limited);
  });
});
