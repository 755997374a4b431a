import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { createLogger } from "../../src/logging/logger.js";
import { clientFor, postJson } from "../support/clients.js";
import { credentialsClient } from "../support/credentials-client.js";
import { ManualClock } from "../support/manual-clock.js";
import { parsePrometheusText, type ParsedMetrics } from "../support/prometheus-text.js";
import { createScimTenant, scim } from "../support/scim-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const P = "scim_config_service_";
const LIST = "gitpod.v1.OrganizationService/ListSCIMConfigurations";
const settle = () => new Promise((r) => setTimeout(r, 50));

/** GET /metrics from 127.0.0.1, parsed strictly (the parse itself is a check of the format). */
async function scrape(server: TestServer): Promise<ParsedMetrics> {
  await settle();
  const res = await fetch(`${server.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusText(await res.text());
}

/** GET /metrics over a connection from a chosen local address (127.0.0.x are all this host). */
/** The metrics before and after one SCIM User is created and then refused as a duplicate (201, then 409). */
async function scrapesAroundDuplicateUser(server: TestServer, namePrefix: string): Promise<{ before: ParsedMetrics; after: ParsedMetrics }> {
  const tenant = await createScimTenant(server);
  const before = await scrape(server);
  const user = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${namePrefix}-${randomUUID()}@example.com` };
  expect((await scim(server, tenant.token, "POST", "/Users", user)).status).toBe(201);
  expect((await scim(server, tenant.token, "POST", "/Users", user)).status).toBe(409);
  return { before, after: await scrape(server) };
}

function getFrom(server: TestServer, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.baseUrl}/metrics`, { localAddress, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

describe("/metrics: every family moves as calls are made (FerretDB, command monitoring on)", () => {
  let server: TestServer;
  beforeAll(async () => {
    const stores = await createMongoStores({
      uri: inject("mongoUri"),
      database: `t_${randomUUID().replaceAll("-", "")}`,
      operationTimeoutMs: 5000,
      clientOptions: { monitorCommands: true },
    });
    server = await startTestServer({ stores });
  });
  afterAll(() => server.close());

  it("is Prometheus text format, read by a strict parser and by parse-prometheus-text-format", async () => {
    const m = await scrape(server);
    for (const [family, type] of [
      ["requests_total", "counter"],
      ["request_duration_seconds", "histogram"],
      ["authentications_total", "counter"],
      ["rate_limited_total", "counter"],
      ["db_operation_duration_seconds", "histogram"],
      ["db_command_duration_seconds", "histogram"],
      ["db_command_errors_total", "counter"],
      ["db_commands_in_flight", "gauge"],
      ["db_connections_total", "counter"],
      ["open_connections", "gauge"],
      ["build_info", "gauge"],
    ]) {
      expect(m.types.get(`${P}${family}`), family).toBe(type);
    }
    expect(m.types.get("process_resident_memory_bytes")).toBe("gauge");
    expect(m.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
  });

  it("counts requests by protocol, procedure and code, with a latency histogram per procedure", async () => {
    const before = await scrape(server);
    await postJson(server.baseUrl, "ListSCIMConfigurations", {}, server.adminKey);
    await clientFor("grpc", server.baseUrl, server.adminKey).listSCIMConfigurations({});
    await clientFor("grpc-web", server.baseUrl, server.adminKey).listSCIMConfigurations({});
    await expect(clientFor("grpc", server.baseUrl, server.adminKey).getSCIMConfiguration({ scimConfigurationId: randomUUID() })).rejects.toThrow();
    const health = await fetch(`${server.baseUrl}/healthz`);
    await health.arrayBuffer();
    const after = await scrape(server);
    const delta = (labels: Record<string, string>) => after.value(`${P}requests_total`, labels) - before.value(`${P}requests_total`, labels);
    expect(delta({ protocol: "connect", method: "POST", route: LIST, code: "ok" })).toBe(1);
    expect(delta({ protocol: "grpc", method: "POST", route: LIST, code: "ok" })).toBe(1);
    expect(delta({ protocol: "grpc-web", method: "POST", route: LIST, code: "ok" })).toBe(1);
    // gRPC answers HTTP 200: the code comes from the status the call ended with.
    expect(delta({ protocol: "grpc", method: "POST", route: "gitpod.v1.OrganizationService/GetSCIMConfiguration", code: "not_found" })).toBe(1);
    expect(delta({ protocol: "rest", method: "GET", route: "/healthz", code: "200" })).toBe(1);
    const count = (m: ParsedMetrics) => m.value(`${P}request_duration_seconds_count`, { protocol: "grpc", method: "POST", route: LIST });
    expect(count(after) - count(before)).toBe(1);
    expect(after.sum(`${P}request_duration_seconds_sum`, { route: LIST })).toBeGreaterThan(before.sum(`${P}request_duration_seconds_sum`, { route: LIST }));
  });

  it("labels SCIM calls by route template and counts their authentications by outcome", async () => {
    const tenant = await createScimTenant(server);
    const disabled = await createScimTenant(server);
    await postJson(server.baseUrl, "UpdateSCIMConfiguration", { scimConfigurationId: disabled.scimConfigurationId, enabled: false }, server.adminKey);
    const before = await scrape(server);
    const id = randomUUID();
    expect((await scim(server, tenant.token, "GET", `/Users/${id}`)).status).toBe(404);
    expect((await scim(server, tenant.token, "GET", "/Users?count=1")).status).toBe(200);
    expect((await scim(server, "", "GET", "/Users")).status).toBe(401);
    expect((await scim(server, "not-a-scim-token", "GET", "/Users")).status).toBe(401);
    expect((await scim(server, `${tenant.token.slice(0, -8)}AAAAAAAA`, "GET", "/Users")).status).toBe(401);
    expect((await scim(server, disabled.token, "GET", "/Users")).status).toBe(403);
    const after = await scrape(server);
    const delta = (name: string, labels: Record<string, string>) => after.value(`${P}${name}`, labels) - before.value(`${P}${name}`, labels);
    expect(delta("requests_total", { protocol: "rest", method: "GET", route: "/scim/v2/Users/{id}", code: "404" })).toBe(1);
    expect(delta("requests_total", { protocol: "rest", method: "GET", route: "/scim/v2/Users", code: "200" })).toBe(1);
    expect(delta("requests_total", { protocol: "rest", method: "GET", route: "/scim/v2/Users", code: "401" })).toBe(3);
    const outcomes = ["ok", "missing", "malformed", "unknown", "disabled"].map((outcome) => delta("authentications_total", { credential: "scim_token", outcome }));
    // ok twice; a token with a wrong checksum is malformed, and one with a good checksum but unknown would be unknown.
    expect(outcomes[0]).toBe(2);
    expect(outcomes[1]).toBe(1);
    expect(outcomes[2]! + outcomes[3]!).toBe(2);
    expect(outcomes[4]).toBe(1);
    expect(JSON.stringify(after.samples)).not.toContain(id);
  });

  it("counts OAuth client authentications at the token endpoint, access tokens at /scim/v2, and calls from outside an IP allowlist, by outcome", async () => {
    const tenant = await createScimTenant(server);
    const creds = credentialsClient(server.baseUrl, server.adminKey);
    const { clientId, clientSecret } = await creds.createSCIMClientSecret({ scimConfigurationId: tenant.scimConfigurationId });
    const tokenRequest = (secret: string) =>
      fetch(`${server.baseUrl}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret }).toString(),
      }).then((r) => r.status);
    const before = await scrape(server);
    const issued = await fetch(`${server.baseUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const { access_token: accessToken } = (await issued.json()) as { access_token: string };
    expect((await scim(server, accessToken, "GET", "/Users")).status).toBe(200);
    expect(await tokenRequest(`${clientSecret.slice(0, -4)}AAAA`)).toBe(401);
    // The test client is 127.0.0.1; an allowlist without it refuses the valid token.
    await creds.setSCIMIPAllowlist({ scimConfigurationId: tenant.scimConfigurationId, cidrs: ["192.0.2.0/24"] });
    expect((await scim(server, tenant.token, "GET", "/Users")).status).toBe(403);
    const after = await scrape(server);
    const delta = (labels: Record<string, string>) => after.value(`${P}authentications_total`, labels) - before.value(`${P}authentications_total`, labels);
    expect(delta({ credential: "oauth_client", outcome: "ok" })).toBe(1);
    expect(delta({ credential: "oauth_client", outcome: "invalid" })).toBe(1);
    expect(delta({ credential: "scim_token", outcome: "address_not_allowed" })).toBe(1);
    // An access token at /scim/v2 is counted as what it is, not as a SCIM token.
    expect(delta({ credential: "oauth_access_token", outcome: "ok" })).toBe(1);
    expect(delta({ credential: "scim_token", outcome: "ok" })).toBe(0);
  });

  it("keeps its label sets bounded: ids and unknown paths never become label values", async () => {
    const tenant = await createScimTenant(server);
    const series = (m: ParsedMetrics) => m.select(`${P}requests_total`).length;
    await scim(server, tenant.token, "GET", `/Users/${randomUUID()}`);
    await (await fetch(`${server.baseUrl}/nothing/${randomUUID()}`)).arrayBuffer();
    await postJson(server.baseUrl, "NoSuchMethod", {}, server.adminKey);
    const before = await scrape(server);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      ids.push(id);
      await scim(server, tenant.token, "GET", `/Users/${id}`);
      await (await fetch(`${server.baseUrl}/nothing/${id}`)).arrayBuffer();
      await postJson(server.baseUrl, `NoSuchMethod${i}`, {}, server.adminKey);
    }
    const after = await scrape(server);
    // The scrape between adds its own series once at most.
    expect(series(after) - series(before)).toBeLessThanOrEqual(1);
    const text = JSON.stringify(after.samples);
    for (const id of ids) expect(text).not.toContain(id);
    expect(after.value(`${P}requests_total`, { protocol: "rest", method: "GET", route: "{unmatched}", code: "404" })).toBeGreaterThanOrEqual(21);
    expect(after.value(`${P}requests_total`, { protocol: "connect", method: "POST", route: "{unmatched}", code: "unimplemented" })).toBeGreaterThanOrEqual(21);
  });

  it("times database commands from the driver's command monitoring and counts failed ones by kind", async () => {
    const { before, after } = await scrapesAroundDuplicateUser(server, "dup");
    const delta = (name: string, labels: Record<string, string>) => after.value(`${P}${name}`, labels) - before.value(`${P}${name}`, labels);
    expect(delta("db_command_duration_seconds_count", { command: "find" })).toBeGreaterThanOrEqual(2);
    expect(delta("db_command_duration_seconds_count", { command: "insert" })).toBeGreaterThanOrEqual(2);
    // The unique userName index refuses the second insert (a write error in a command that succeeds): a client's conflict, counted as such.
    expect(delta("db_command_errors_total", { command: "insert", error: "duplicate_key" })).toBe(1);
    expect(after.value(`${P}db_commands_in_flight`)).toBe(0);
    expect(after.value(`${P}db_connections_total`, { event: "created" })).toBeGreaterThanOrEqual(0);
  });

  it("times every store operation by name and outcome: a refused duplicate is an error, not the database's unavailability", async () => {
    const { before, after } = await scrapesAroundDuplicateUser(server, "op");
    const delta = (labels: Record<string, string>) =>
      after.value(`${P}db_operation_duration_seconds_count`, labels) - before.value(`${P}db_operation_duration_seconds_count`, labels);
    expect(delta({ operation: "scimUsers.create", outcome: "ok" })).toBe(1);
    expect(delta({ operation: "scimUsers.create", outcome: "error" })).toBe(1);
    expect(delta({ operation: "members.findFormerOrEmail", outcome: "ok" })).toBe(2);
    expect(delta({ operation: "audit.append", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(after.select(`${P}db_operation_duration_seconds_count`).filter((s) => s.labels.outcome === "unavailable").every((s) => s.value === 0)).toBe(true);
  });

  it("shows open HTTP/1.1 connections and HTTP/2 sessions", async () => {
    const base = await scrape(server);
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) => http.get(`${server.baseUrl}/healthz`, { agent }, (res) => res.resume().on("end", resolve)));
    const session = http2.connect(server.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const stream = session.request({ ":path": "/healthz" });
      stream.on("error", reject);
      stream.resume().on("end", resolve);
    });
    const open = await scrape(server);
    expect(open.value(`${P}open_connections`, { protocol: "http2" })).toBe(base.value(`${P}open_connections`, { protocol: "http2" }) + 1);
    expect(open.value(`${P}open_connections`, { protocol: "http1" })).toBeGreaterThanOrEqual(base.value(`${P}open_connections`, { protocol: "http1" }) + 1);
    await new Promise<void>((resolve) => session.close(resolve));
    agent.destroy();
    await expect.poll(async () => (await scrape(server)).value(`${P}open_connections`, { protocol: "http2" })).toBe(base.value(`${P}open_connections`, { protocol: "http2" }));
  });

  it("says which build runs", async () => {
    const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    const m = await scrape(server);
    expect(m.value(`${P}build_info`, { version, node_version: process.versions.node })).toBe(1);
  });
});

describe("/metrics: limits and expired tokens (memory store, manual clock)", () => {
  const clock = new ManualClock();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ clock, env: { AUTH_FAILURES_PER_MINUTE: "2", SCIM_RATE_PER_SECOND: "1", SCIM_RATE_BURST: "2" } });
  });
  afterAll(() => server.close());

  it("counts an expired SCIM token as expired", async () => {
    const tenant = await createScimTenant(server);
    const before = await scrape(server);
    clock.advance(400 * 24 * 3600 * 1000);
    expect((await scim(server, tenant.token, "GET", "/Users")).status).toBe(401);
    const after = await scrape(server);
    const expired = { credential: "scim_token", outcome: "expired" };
    expect(after.value(`${P}authentications_total`, expired) - before.value(`${P}authentications_total`, expired)).toBe(1);
  });

  it("counts calls refused by the per-configuration SCIM limit and by the failed-authentication limiter", async () => {
    const tenant = await createScimTenant(server);
    const before = await scrape(server);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await scim(server, tenant.token, "GET", "/ServiceProviderConfig")).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    // Two guesses empty the address's bucket; the third is refused without a lookup.
    for (let i = 0; i < 3; i++) await postJson(server.baseUrl, "ListSCIMConfigurations", {}, `scimadm_wrong${i}`);
    const after = await scrape(server);
    const delta = (name: string, labels: Record<string, string>) => after.value(`${P}${name}`, labels) - before.value(`${P}${name}`, labels);
    expect(delta("rate_limited_total", { limit: "scim_configuration" })).toBe(statuses.filter((s) => s === 429).length);
    expect(delta("rate_limited_total", { limit: "auth_failures" })).toBe(1);
    expect(delta("authentications_total", { credential: "api_key", outcome: "invalid" })).toBe(2);
    expect(delta("authentications_total", { credential: "api_key", outcome: "blocked" })).toBe(1);
    expect(delta("requests_total", { protocol: "connect", method: "POST", route: LIST, code: "resource_exhausted" })).toBe(1);
  });
});

describe("/metrics access", () => {
  it("answers loopback by default", async () => {
    const server = await startTestServer();
    try {
      expect((await getFrom(server, "127.0.0.1")).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("answers only the addresses in METRICS_ALLOW: 403 elsewhere when no token is configured", async () => {
    const server = await startTestServer({ env: { METRICS_ALLOW: "127.0.0.2/32" } });
    try {
      const refused = await getFrom(server, "127.0.0.1");
      expect(refused.status).toBe(403);
      expect(refused.body).not.toContain(P);
      const allowed = await getFrom(server, "127.0.0.2");
      expect(allowed.status).toBe(200);
      expect(allowed.body).toContain(`${P}requests_total`);
    } finally {
      await server.close();
    }
  });

  it("takes METRICS_TOKEN from any address: 401 with a challenge without it or with a wrong one, and guesses count as failed authentications", async () => {
    const token = randomBytes(32).toString("hex");
    const lines: string[] = [];
    const logger = createLogger("info", new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const server = await startTestServer({ env: { METRICS_ALLOW: "10.0.0.0/8", METRICS_TOKEN: token, AUTH_FAILURES_PER_MINUTE: "2" }, logger });
    try {
      const none = await getFrom(server, "127.0.0.1");
      expect(none.status).toBe(401);
      expect(none.headers["www-authenticate"]).toBe('Bearer realm="metrics"');
      expect((await getFrom(server, "127.0.0.1", { authorization: `Bearer ${token}x` })).status).toBe(401);
      const ok = await getFrom(server, "127.0.0.1", { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      parsePrometheusText(ok.body);
      // The second guess empties the bucket; the third is refused without a comparison...
      expect((await getFrom(server, "127.0.0.1", { authorization: "Bearer guess-2" })).status).toBe(401);
      const blocked = await getFrom(server, "127.0.0.1", { authorization: "Bearer guess-3" });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
      // ...while the token that worked here before still does.
      expect((await getFrom(server, "127.0.0.1", { authorization: `Bearer ${token}` })).status).toBe(200);
      await settle();
      expect(lines.join("")).not.toContain(token);
    } finally {
      await server.close();
    }
  });
});
