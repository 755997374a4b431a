import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListSCIMConfigurationsRequestSchema, RegenerateSCIMTokenRequestSchema } from "../../gen/gitpod/v1/organization_pb.js";
import { capturingLogger, rawRequest } from "../support/raw-http.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const LIST = "/gitpod.v1.OrganizationService/ListSCIMConfigurations";
const UPDATE = "/gitpod.v1.OrganizationService/UpdateSCIMConfiguration";
const ONE_MIB = 1024 * 1024;

/** gRPC message framing: 1 flag byte (1: compressed), 4 length bytes, payload. */
function envelope(payload: Uint8Array, flag = 0): Buffer {
  const out = Buffer.alloc(5 + payload.byteLength);
  out[0] = flag;
  out.writeUInt32BE(payload.byteLength, 1);
  out.set(payload, 5);
  return out;
}

/** Reads a gRPC-web body's trailer frame (flag 0x80) into its lines. */
function grpcWebTrailer(body: Buffer): Record<string, string> {
  let i = 0;
  while (i + 5 <= body.length) {
    const length = body.readUInt32BE(i + 1);
    if (body[i] === 0x80) {
      const text = body.subarray(i + 5, i + 5 + length).toString();
      return Object.fromEntries(text.split("\r\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    }
    i += 5 + length;
  }
  return {};
}

describe("the transport answers what to send, in the caller's protocol", () => {
  let server: TestServer;
  let h2: http2.ClientHttp2Session;
  const log = capturingLogger("info");
  const bearer = () => ({ authorization: `Bearer ${server.adminKey}` });

  /** One gRPC (h2c) call; resolves with the response headers and trailers merged. */
  function grpcCall(path: string, body: Buffer, headers: Record<string, string>): Promise<Record<string, string>> {
    return new Promise((resolve, reject) => {
      const stream = h2.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
      const seen: Record<string, string> = {};
      stream.on("response", (h) => Object.assign(seen, h));
      stream.on("trailers", (t) => Object.assign(seen, t));
      stream.on("error", reject);
      stream.on("close", () => resolve(seen));
      stream.resume();
      stream.end(body);
    });
  }

  beforeAll(async () => {
    server = await startTestServer({ logger: log.logger });
    h2 = http2.connect(server.baseUrl);
    h2.on("error", () => undefined);
  });
  afterAll(async () => {
    h2?.close();
    await server?.close();
  });

  describe("wrong method or content type", () => {
    it("a POST without Content-Type says which content types to send", async () => {
      const res = await fetch(server.baseUrl + LIST, { method: "POST", headers: bearer(), body: new Blob(["{}"]) });
      expect(res.status).toBe(415);
      const json = (await res.json()) as { code: string; message: string };
      expect(json.code).toBe("invalid_argument");
      expect(json.message).toMatch(/^the request has no Content-Type: send Content-Type: application\/json \(Connect JSON\) or application\/proto/);
    });

    it("a form-encoded POST (curl -d without -H) is told the same", async () => {
      const res = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": "application/x-www-form-urlencoded" }, body: "{}" });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { message: string }).message).toMatch(/^Content-Type "application\/x-www-form-urlencoded" is not one this service speaks: send Content-Type: application\/json/);
    });

    it("GET or PUT on a write RPC is 405 with Allow: POST and a body that says so", async () => {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const res = await fetch(server.baseUrl + UPDATE, { method, headers: bearer() });
        expect(res.status, method).toBe(405);
        expect(res.headers.get("allow")).toBe("POST");
        const json = (await res.json()) as { code: string; message: string };
        expect(json.code).toBe("unimplemented");
        expect(json.message).toMatch(new RegExp(`^UpdateSCIMConfiguration takes POST \\(send Content-Type: application/json.*; got ${method}$`));
      }
    });

    it("PUT on a read RPC is 405 with Allow: POST, GET; a Connect GET without encoding says how", async () => {
      const put = await fetch(server.baseUrl + LIST, { method: "PUT", headers: bearer() });
      expect(put.status).toBe(405);
      expect(put.headers.get("allow")).toBe("POST, GET");
      expect(((await put.json()) as { message: string }).message).toMatch(/or a Connect GET with \?encoding=json&message=<URL-encoded JSON request>; got PUT$/);

      const get = await fetch(server.baseUrl + LIST, { headers: bearer() });
      expect(get.status).toBe(415);
      expect(((await get.json()) as { message: string }).message).toBe("a Connect GET needs ?encoding=json&message=<URL-encoded JSON request> (got no encoding parameter)");
    });
  });

  describe("a body over 1 MiB says so in every protocol", () => {
    const big = Buffer.alloc(ONE_MIB + 10, 0x20);

    it("Connect JSON and Connect binary", async () => {
      for (const contentType of ["application/json", "application/proto"]) {
        const res = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": contentType }, body: big });
        const json = (await res.json()) as { code: string; message: string };
        expect(json, contentType).toEqual({ code: "resource_exhausted", message: "request body larger than 1 MiB" });
      }
    });

    it("gRPC and gRPC-web", async () => {
      const payload = toBinary(ListSCIMConfigurationsRequestSchema, create(ListSCIMConfigurationsRequestSchema));
      const oversized = Buffer.concat([envelope(Buffer.alloc(ONE_MIB + 10)).subarray(0, 5), Buffer.alloc(ONE_MIB + 10)]);
      const grpc = await grpcCall(LIST, oversized, bearer());
      expect(grpc["grpc-status"]).toBe("8");
      expect(decodeURIComponent(grpc["grpc-message"]!)).toBe("request body larger than 1 MiB");
      expect(payload).toBeDefined();

      const web = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": "application/grpc-web+proto" }, body: oversized });
      const trailer = grpcWebTrailer(Buffer.from(await web.arrayBuffer()));
      expect(trailer["grpc-status"]).toBe("8");
      expect(decodeURIComponent(trailer["grpc-message"]!)).toBe("request body larger than 1 MiB");
    });
  });

  describe("a truncated gzip body is invalid_argument, never internal", () => {
    const truncatedJson = gzipSync(JSON.stringify({ pagination: { pageSize: 5 } })).subarray(0, 12);
    const truncatedProto = gzipSync(toBinary(ListSCIMConfigurationsRequestSchema, create(ListSCIMConfigurationsRequestSchema, { pagination: { pageSize: 5 } }))).subarray(0, 12);

    it("Connect JSON and binary", async () => {
      for (const [contentType, body] of [["application/json", truncatedJson], ["application/proto", truncatedProto]] as const) {
        const res = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": contentType, "content-encoding": "gzip" }, body });
        expect(res.status, contentType).toBe(400);
        const json = (await res.json()) as { code: string; message: string };
        expect(json.code).toBe("invalid_argument");
        expect(json.message).toMatch(/^the request body is not valid gzip data/);
      }
    });

    it("gRPC and gRPC-web", async () => {
      const body = envelope(truncatedProto, 1);
      const grpc = await grpcCall(LIST, body, { ...bearer(), "grpc-encoding": "gzip" });
      expect(grpc["grpc-status"]).toBe("3");
      const web = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": "application/grpc-web+proto", "grpc-encoding": "gzip" }, body });
      expect(grpcWebTrailer(Buffer.from(await web.arrayBuffer()))["grpc-status"]).toBe("3");
    });
  });

  describe("malformed request targets are 400, and no client error is logged with a stack", () => {
    it("GET http://x:99999/ (absolute-form, bad port)", async () => {
      const res = await rawRequest(server.app.listener.address.port, "GET http://x:99999/ HTTP/1.1\r\nHost: x\r\n\r\n");
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error).toMatch(/^the request target "http:\/\/x:99999\/" is not a valid URL/);
    });

    it("GET /scim/v2/Schemas/%ZZ and a bad Host on an RPC path", async () => {
      const schemas = await fetch(`${server.baseUrl}/scim/v2/Schemas/%ZZ`);
      expect(schemas.status).toBe(400);
      const host = await rawRequest(server.app.listener.address.port, `POST ${LIST} HTTP/1.1\r\nHost: x:99999\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
      expect(host.status).toBe(400);
      expect(log.lines.filter((l) => l.level >= 50)).toEqual([]);
    });
  });

  describe("smaller things", () => {
    it("a grpc-timeout beyond the maximum is capped as a deadline, with no TimeoutOverflowWarning", async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on("warning", onWarning);
      try {
        const payload = envelope(toBinary(ListSCIMConfigurationsRequestSchema, create(ListSCIMConfigurationsRequestSchema)));
        const res = await grpcCall(LIST, payload, { ...bearer(), "grpc-timeout": "99999999H" });
        expect(res["grpc-status"]).toBe("0");
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        process.off("warning", onWarning);
      }
      expect(warnings.map((w) => w.name)).not.toContain("TimeoutOverflowWarning");
    });

    it("Connect-Timeout-Ms: 0 is capped like any other deadline (the call runs)", async () => {
      const res = await fetch(server.baseUrl + LIST, { method: "POST", headers: { ...bearer(), "content-type": "application/json", "connect-timeout-ms": "0" }, body: "{}" });
      expect(res.status).toBe(200);
    });

    it("responses that carry a token say Cache-Control: no-store, in every protocol", async () => {
      const sso = await fetch(server.baseUrl + "/gitpod.v1.OrganizationService/CreateSSOConfiguration", {
        method: "POST",
        headers: { ...bearer(), "content-type": "application/json" },
        body: JSON.stringify({ organizationId: server.organizationId, clientId: "c", clientSecret: "s", issuerUrl: "https://idp.example.com" }),
      });
      const ssoId = ((await sso.json()) as any).ssoConfiguration.id as string;
      const created = await fetch(server.baseUrl + "/gitpod.v1.OrganizationService/CreateSCIMConfiguration", {
        method: "POST",
        headers: { ...bearer(), "content-type": "application/json" },
        body: JSON.stringify({ organizationId: server.organizationId, ssoConfigurationId: ssoId }),
      });
      expect(created.status).toBe(200);
      expect(created.headers.get("cache-control")).toBe("no-store");
      const scimId = ((await created.json()) as any).scimConfiguration.id as string;

      const request = toBinary(RegenerateSCIMTokenRequestSchema, create(RegenerateSCIMTokenRequestSchema, { scimConfigurationId: scimId }));
      const web = await fetch(server.baseUrl + "/gitpod.v1.OrganizationService/RegenerateSCIMToken", {
        method: "POST",
        headers: { ...bearer(), "content-type": "application/grpc-web+proto" },
        body: envelope(request),
      });
      expect(grpcWebTrailer(Buffer.from(await web.arrayBuffer()))["grpc-status"]).toBe("0");
      expect(web.headers.get("cache-control")).toBe("no-store");
      const grpc = await grpcCall("/gitpod.v1.OrganizationService/RegenerateSCIMToken", envelope(request), bearer());
      expect(grpc["grpc-status"]).toBe("0");
      expect(grpc["cache-control"]).toBe("no-store");
    });

    it("two Authorization headers are refused as unauthenticated on the RPCs, Unleash and SCIM routes", async () => {
      const port = server.app.listener.address.port;
      const twice = `Authorization: Bearer ${server.adminKey}\r\nAuthorization: Bearer ${server.adminKey}\r\n`;
      const rpc = await rawRequest(port, `POST ${LIST} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n${twice}Content-Length: 2\r\n\r\n{}`);
      expect(rpc.status).toBe(401);
      expect(JSON.parse(rpc.body)).toEqual({ code: "unauthenticated", message: "the request has 2 Authorization headers; send exactly one" });
      const unleash = await rawRequest(port, `GET /api/admin/scim-settings HTTP/1.1\r\nHost: a\r\n${twice}\r\n`);
      expect(unleash.status).toBe(401);
      expect(JSON.parse(unleash.body).message).toMatch(/2 Authorization headers/);
      const scim = await rawRequest(port, `GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer scim_x\r\nAuthorization: Bearer scim_y\r\n\r\n`);
      expect(scim.status).toBe(401);
      expect(JSON.parse(scim.body).detail).toMatch(/2 Authorization headers/);
    });
  });

  describe("authentication is decided from the headers, before the body is read", () => {
    const partial = Buffer.alloc(900 * 1024, 0x20);

    it("Connect over HTTP/1.1: a 900 KiB body that never ends gets its 401 at once", async () => {
      const started = performance.now();
      const res = await rawRequest(
        server.app.listener.address.port,
        `POST ${LIST} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nAuthorization: Bearer wrong-key-0123456789\r\nContent-Length: ${1000 * 1024}\r\n\r\n`,
        partial,
        { timeoutMs: 3000 },
      );
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).code).toBe("unauthenticated");
      expect(res.headers.connection).toEqual(["close"]);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it("gRPC over HTTP/2: no key, an unfinished 900 KiB message, unauthenticated at once", async () => {
      const started = performance.now();
      const status = await new Promise<string | undefined>((resolve, reject) => {
        const stream = h2.request({ ":method": "POST", ":path": LIST, "content-type": "application/grpc", te: "trailers" });
        const timer = setTimeout(() => reject(new Error("no answer within 3 s")), 3000);
        // The status comes in the trailers (or in headers that end the stream, trailers-only).
        const settle = (h: http2.IncomingHttpHeaders) => {
          if (h["grpc-status"] === undefined) return;
          clearTimeout(timer);
          resolve(h["grpc-status"] as string);
        };
        stream.on("response", settle);
        stream.on("trailers", settle);
        stream.on("error", () => undefined);
        stream.write(Buffer.concat([envelope(Buffer.alloc(0)).subarray(0, 1), Buffer.from([0, 0x0f, 0, 0]), partial]));
      });
      expect(status).toBe("16");
      expect(performance.now() - started).toBeLessThan(2000);
    });
  });
});
