import { request as httpRequest } from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Hostile input: a property-based fuzzer (fast-check) sends 10,000 generated and mutated bodies
 * to every RPC (Connect JSON and binary, Connect GET, gRPC over h2c, gRPC-web) and every REST
 * route, over reused keep-alive connections. Nothing may answer 5xx (or gRPC unknown/internal/
 * data loss), the server must stay up, and no rejected request may change stored data.
 */
const BODIES = 10_000;
const BATCH = 50;
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const ONE_MIB = 1024 * 1024;

let server: TestServer;
let scimToken: string;
let ids: { sso: string; scim: string; otherOrgScim: string };
let h2: http2.ClientHttp2Session;

beforeAll(async () => {
  server = await startTestServer({ store: "memory", env: { AUTH_FAILURES_PER_MINUTE: "0", HTTP_HEADERS_TIMEOUT_MS: "1000", HTTP_IDLE_TIMEOUT_MS: "1500" } });
  const { organizationId } = server;
  const admin = await rpcJson("CreateSSOConfiguration", { organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" });
  const scim = await rpcJson("CreateSCIMConfiguration", { organizationId, ssoConfigurationId: admin.ssoConfiguration.id });
  scimToken = scim.token;
  const other = await startOtherOrganizationConfiguration();
  ids = { sso: admin.ssoConfiguration.id, scim: scim.scimConfiguration.id, otherOrgScim: other };
  h2 = http2.connect(server.baseUrl);
  h2.on("error", () => undefined);
});
afterAll(async () => {
  h2?.close();
  await server?.close();
});

async function rpcJson(method: string, body: unknown, key = server.adminKey): Promise<any> {
  const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  expect(res.status, `${method} seed`).toBe(200);
  return res.json();
}

async function startOtherOrganizationConfiguration(): Promise<string> {
  const org = crypto.randomUUID();
  const key = await server.key("admin", org);
  const sso = await rpcJson("CreateSSOConfiguration", { organizationId: org, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" }, key);
  return (await rpcJson("CreateSCIMConfiguration", { organizationId: org, ssoConfigurationId: sso.ssoConfiguration.id }, key)).scimConfiguration.id;
}

type Protocol = "connect-json" | "connect-proto" | "connect-get" | "grpc" | "grpc-web";
interface Target {
  kind: "rpc" | "rest";
  method: string;
  protocol?: Protocol;
  /** REST: HTTP method and path. */
  httpMethod?: string;
  path?: string;
  input?: DescMessage;
}
interface Sent {
  target: Target;
  body: Uint8Array;
}
interface Answer {
  status: number;
  grpcStatus: string | undefined;
  text: string;
}

const RPC_TARGETS: Target[] = OrganizationService.methods.flatMap((m) =>
  (["connect-json", "connect-proto", "grpc", "grpc-web", ...(m.idempotency === 1 ? (["connect-get"] as const) : [])] as Protocol[]).map((protocol) => ({
    kind: "rpc" as const,
    method: m.name,
    protocol,
    input: m.input,
  })),
);
const REST_TARGETS: Target[] = [
  { kind: "rest", method: "scim-settings", httpMethod: "POST", path: "/api/admin/scim-settings" },
  { kind: "rest", method: "scim-settings", httpMethod: "GET", path: "/api/admin/scim-settings?scimConfigurationId=" },
  { kind: "rest", method: "generate-new-token", httpMethod: "POST", path: "/api/admin/scim-settings/generate-new-token" },
  { kind: "rest", method: "scim", httpMethod: "GET", path: "/scim/v2/ServiceProviderConfig" },
  { kind: "rest", method: "scim", httpMethod: "POST", path: "/scim/v2/Users" },
  { kind: "rest", method: "scim", httpMethod: "GET", path: "/scim/v2/Schemas/" },
  { kind: "rest", method: "health", httpMethod: "GET", path: "/readyz" },
];

/** Field names the messages really have, so mutations hit real fields with wrong values. */
const FIELDS = [
  "organizationId",
  "scimConfigurationId",
  "ssoConfigurationId",
  "name",
  "enabled",
  "tokenExpiresIn",
  "allowUnverifiedEmailAccountLinking",
  "pagination",
  "clientId",
  "clientSecret",
  "issuerUrl",
  "emailDomain",
  "emailDomains",
  "claims",
  "state",
  "additionalScopes",
  "displayName",
  "claimsExpression",
  "organization_id",
  "scim_configuration_id",
];

function seedFor(): Record<string, unknown> {
  return {
    organizationId: server.organizationId,
    scimConfigurationId: ids.scim,
    ssoConfigurationId: ids.sso,
    name: "fuzz",
    clientId: "c",
    clientSecret: "s",
    issuerUrl: "https://idp.example.com",
    pagination: { pageSize: 10 },
  };
}

const enc = new TextEncoder();
const idArb = fc.constantFrom(() => ids.scim, () => ids.sso, () => ids.otherOrgScim, () => server.organizationId).map((f) => f());
const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  idArb,
  fc.constantFrom("", "null", "00000000-0000-0000-0000-000000000000", "86400s", "63072001s", "-1s", "1e400", "NaN", "\u0000", "\ud800"),
  fc.integer({ min: 1, max: 300_000 }).map((n) => "x".repeat(n)),
  fc.double(),
  fc.bigInt().map(String),
);

/** Generated and mutated JSON bodies, as text. */
const jsonTextArb: fc.Arbitrary<string> = fc.oneof(
  // A valid-looking body with some fields replaced, removed or added.
  fc.tuple(fc.dictionary(fc.constantFrom(...FIELDS), valueArb, { maxKeys: 4 }), fc.subarray(FIELDS)).map(([patch, drop]) => {
    const body: Record<string, unknown> = { ...seedFor(), ...patch };
    for (const k of drop) delete body[k];
    return JSON.stringify(body);
  }),
  fc.json({ maxDepth: 4 }),
  fc.integer({ min: 10, max: 100_000 }).map((n) => `{"pagination":${"[".repeat(n)}${"]".repeat(n)}}`),
  fc.integer({ min: 10, max: 50_000 }).map((n) => '{"a":'.repeat(n) + "1" + "}".repeat(n)),
  fc.tuple(fc.constantFrom(...FIELDS), valueArb, valueArb).map(([k, a, b]) => `{"${k}":${JSON.stringify(a)},"${k}":${JSON.stringify(b)}}`),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("", "{", "}", "[]", "null", "true", '"string"', "{}}", '{"a":1,}', "\ufeff{}"),
);

/** Bytes: JSON text (sometimes with invalid UTF-8 spliced in), protobuf mutations, or noise. */
function bodyArb(target: Target): fc.Arbitrary<Uint8Array> {
  const json = jsonTextArb.map((t) => enc.encode(t));
  const invalidUtf8 = fc.tuple(jsonTextArb, fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]), fc.nat()).map(([t, bad, at]) => {
    const b = enc.encode(t);
    const i = b.length === 0 ? 0 : at % b.length;
    return new Uint8Array([...b.subarray(0, i), ...bad, ...b.subarray(i)]);
  });
  const noise = fc.uint8Array({ maxLength: 4096 });
  const valid = target.input ? toBinary(target.input, create(target.input, pickSeed(target.input))) : new Uint8Array();
  const proto = fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
      const b = valid.slice();
      if (b.length > 0) b[at % b.length] = v;
      return b;
    }),
    fc.nat().map((n) => valid.subarray(0, valid.length === 0 ? 0 : n % valid.length)),
    fc.uint8Array({ maxLength: 64 }).map((extra) => new Uint8Array([...valid, ...extra])),
    // A known field number with every wire type, followed by junk.
    fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 32 })).map(([field, wire, rest]) => new Uint8Array([(field << 3) | wire, ...rest])),
    // A length prefix far beyond the body.
    fc.integer({ min: 1, max: 12 }).map((field) => new Uint8Array([(field << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x41])),
  );
  const binary = target.protocol === "connect-proto" || target.protocol === "grpc" || target.protocol === "grpc-web";
  return binary ? fc.oneof({ weight: 4, arbitrary: proto }, { weight: 1, arbitrary: noise }, { weight: 1, arbitrary: json }) : fc.oneof({ weight: 5, arbitrary: json }, { weight: 2, arbitrary: invalidUtf8 }, { weight: 1, arbitrary: noise });
}

function pickSeed(input: DescMessage): Record<string, unknown> {
  const seed = seedFor();
  const names = new Set(input.fields.map((f) => f.localName));
  return Object.fromEntries(Object.entries(seed).filter(([k]) => names.has(k)));
}

const caseArb: fc.Arbitrary<Sent> = fc.constantFrom(...RPC_TARGETS, ...REST_TARGETS).chain((target) => bodyArb(target).map((body) => ({ target, body })));

describe("hostile input", () => {
  it(`${BODIES} fuzzed bodies to every RPC and REST route: no 5xx, no crash, rejected requests change nothing`, { timeout: 300_000 }, async () => {
    const bad: string[] = [];
    let sent = 0;
    let accepted = 0;
    let before = await snapshot();
    for (let batch = 0; sent < BODIES; batch++) {
      const cases = fc.sample(caseArb, { numRuns: BATCH, seed: SEED + batch });
      const answers = await Promise.all(cases.map((c) => send(c)));
      sent += cases.length;
      let anyAccepted = false;
      answers.forEach((a, i) => {
        const c = cases[i]!;
        const label = `${c.target.protocol ?? c.target.httpMethod} ${c.target.method} (seed ${SEED + batch}, case ${i}): ${a.status} ${a.grpcStatus ?? ""} ${a.text.slice(0, 160)}`;
        if (a.status >= 500 || ["2", "13", "15", "stream error"].includes(a.grpcStatus ?? "") || /"code":"(internal|unknown)"/.test(a.text)) bad.push(label);
        const write = c.target.kind === "rpc" ? /^(Create|Update|Delete|Regenerate)/.test(c.target.method) : c.target.httpMethod === "POST";
        if (write && a.status >= 200 && a.status < 300 && (a.grpcStatus === undefined || a.grpcStatus === "0")) anyAccepted = true;
      });
      const after = await snapshot();
      if (anyAccepted) accepted++;
      else if (after !== before) bad.push(`batch ${batch} (seed ${SEED + batch}) changed stored data although every request was rejected`);
      before = after;
    }
    console.log(`hostile input: ${sent} bodies in ${BODIES / BATCH} batches; ${accepted} batches had an accepted write (the others were checked for no change); ${bad.length} problems`);
    expect(bad.slice(0, 10)).toEqual([]);
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it("oversized bodies: resource_exhausted on every RPC protocol, 413 on REST", async () => {
    const big = Buffer.from(JSON.stringify({ name: "x".repeat(2 * ONE_MIB) }));
    const bigProto = Buffer.alloc(2 * ONE_MIB, 0x41);
    const rpc = "/gitpod.v1.OrganizationService/ListSCIMConfigurations";
    const auth = { authorization: `Bearer ${server.adminKey}` };
    const json = await postOnce(rpc, { "content-type": "application/json", ...auth }, big);
    expect(json.status).toBe(429);
    expect(JSON.parse(json.text).code).toBe("resource_exhausted");
    const proto = await postOnce(rpc, { "content-type": "application/proto", ...auth }, bigProto);
    expect(proto.status).toBe(429);
    const web = await postOnce(rpc, { "content-type": "application/grpc-web+proto", ...auth }, Buffer.from(grpcFrame(bigProto)));
    expect(web.grpcStatus).toBe("8");
    const grpc = await send({ target: { kind: "rpc", method: "ListSCIMConfigurations", protocol: "grpc" }, body: bigProto });
    expect(grpc.grpcStatus).toBe("8");
    const rest = await postOnce("/api/admin/scim-settings", { "content-type": "application/json", ...auth }, big);
    expect(rest.status).toBe(413);
  });

  it("cuts connections that send nothing, stall in the headers, or idle as HTTP/2 (header and idle timeouts)", async () => {
    const port = server.app.listener.address.port;
    const silent = await closedWithin(port, undefined, 4000);
    const slowHeaders = await closedWithin(port, "POST /gitpod.v1.OrganizationService/ListSCIMConfigurations HTTP/1.1\r\nHost: x\r\n", 4000);
    const idleH2 = await closedWithin(port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00", 5000);
    console.log(`timeouts: silent cut after ${silent} ms, slow headers after ${slowHeaders} ms, idle HTTP/2 after ${idleH2} ms`);
    expect(silent).toBeGreaterThanOrEqual(900);
    expect(slowHeaders).toBeGreaterThanOrEqual(900);
    expect(idleH2).toBeGreaterThanOrEqual(1400);
  });
});

/** One POST on a connection of its own (an early answer to a big upload may close it). */
function postOnce(path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.baseUrl}${path}`, { method: "POST", headers: { ...headers, "content-length": body.length }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("latin1");
        const grpcStatus = (res.headers["grpc-status"] as string | undefined) ?? /grpc-status:\s*(\d+)/.exec(text)?.[1];
        resolve({ status: res.statusCode ?? 0, grpcStatus, text });
      });
    });
    // The server may answer and close before the whole body is out; the answer is what counts.
    req.on("error", reject);
    req.end(body);
  });
}

/** Opens a raw connection, writes `bytes`, and resolves how long the server took to close it. */
function closedWithin(port: number, bytes: string | undefined, limitMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1", () => {
      if (bytes !== undefined) socket.write(Buffer.from(bytes, "latin1"));
    });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after ${limitMs} ms`));
    }, limitMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

async function snapshot(): Promise<string> {
  const { stores } = server.app;
  const scim = await stores.scimConfigurations.list(server.organizationId, { limit: 100, afterId: undefined });
  const sso = await stores.ssoConfigurations.list(server.organizationId, { limit: 100, afterId: undefined });
  return JSON.stringify([scim.items, sso.items]);
}

function grpcFrame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(1, body.length);
  out.set(body, 5);
  return out;
}

async function send({ target, body }: Sent): Promise<Answer> {
  const auth = { authorization: `Bearer ${target.method === "scim" ? scimToken : server.adminKey}` };
  if (target.kind === "rest") {
    const suffix = target.path!.endsWith("=") || target.path!.endsWith("/") ? encodeURIComponent(new TextDecoder().decode(body).slice(0, 300)) : "";
    const res = await fetch(server.baseUrl + target.path! + suffix, {
      method: target.httpMethod!,
      headers: { "content-type": "application/json", ...auth },
      ...(target.httpMethod === "POST" ? { body } : {}),
    });
    return { status: res.status, grpcStatus: undefined, text: await res.text() };
  }
  const path = `/gitpod.v1.OrganizationService/${target.method}`;
  switch (target.protocol!) {
    case "connect-json":
    case "connect-proto": {
      const res = await fetch(server.baseUrl + path, {
        method: "POST",
        headers: { "content-type": target.protocol === "connect-json" ? "application/json" : "application/proto", ...auth },
        body,
      });
      return { status: res.status, grpcStatus: undefined, text: await res.text() };
    }
    case "connect-get": {
      const message = encodeURIComponent(new TextDecoder().decode(body).slice(0, 4000));
      const res = await fetch(`${server.baseUrl}${path}?connect=v1&encoding=json&message=${message}`, { headers: auth });
      return { status: res.status, grpcStatus: undefined, text: await res.text() };
    }
    case "grpc-web": {
      const res = await fetch(server.baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...auth },
        body: grpcFrame(body),
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      const grpcStatus = res.headers.get("grpc-status") ?? /grpc-status:\s*(\d+)/.exec(text)?.[1];
      return { status: res.status, grpcStatus, text: text.replace(/[^\x20-\x7e]/g, "") };
    }
    case "grpc":
      return new Promise<Answer>((resolve) => {
        const stream = h2.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...auth });
        let status = 0;
        let grpcStatus: string | undefined;
        let message = "";
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
          if (headers["grpc-status"] !== undefined) grpcStatus = String(headers["grpc-status"]);
          if (headers["grpc-message"] !== undefined) message = String(headers["grpc-message"]);
        });
        stream.on("trailers", (trailers) => {
          grpcStatus = String(trailers["grpc-status"]);
          message = String(trailers["grpc-message"] ?? "");
        });
        stream.on("data", () => undefined);
        stream.on("error", (err) => resolve({ status: 0, grpcStatus: "stream error", text: String(err) }));
        stream.on("close", () => resolve({ status, grpcStatus, text: decodeURIComponent(message) }));
        stream.end(grpcFrame(body));
      });
  }
}
