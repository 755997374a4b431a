import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, PROTOCOLS } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** gRPC message framing: 1 flag byte, 4 length bytes, payload. */
function envelope(payload: Uint8Array, flag = 0): Uint8Array {
  const out = new Uint8Array(5 + payload.byteLength);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, payload.byteLength);
  out.set(payload, 5);
  return out;
}

const GARBAGE = new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);

describe("one port, every protocol", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(PROTOCOLS)("runs the SCIM lifecycle over %s", async (protocol) => {
    const client = clientFor(protocol, server.baseUrl, server.adminKey);
    const sso = await client.createSSOConfiguration({
      organizationId: server.organizationId,
      clientId: "c",
      clientSecret: "s",
      issuerUrl: "https://idp.example.com",
    });
    const ssoId = sso.ssoConfiguration!.id;
    const created = await client.createSCIMConfiguration({ organizationId: server.organizationId, ssoConfigurationId: ssoId, name: protocol });
    const id = created.scimConfiguration!.id;
    const regenerated = await client.regenerateSCIMToken({ scimConfigurationId: id, tokenExpiresIn: { seconds: 15_552_000n, nanos: 0 } });
    expect(regenerated.token).not.toBe(created.token);
    expect((await client.getSCIMConfiguration({ scimConfigurationId: id })).scimConfiguration!.name).toBe(protocol);
    expect((await client.listSCIMConfigurations({ pagination: { pageSize: 100 } })).scimConfigurations.map((c) => c.id)).toContain(id);
    await client.updateSCIMConfiguration({ scimConfigurationId: id, enabled: false });
    await client.deleteSCIMConfiguration({ scimConfigurationId: id });
    await client.deleteSSOConfiguration({ ssoConfigurationId: ssoId });
    const err = await client.getSCIMConfiguration({ scimConfigurationId: id }).catch((e: unknown) => ConnectError.from(e));
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it.each(PROTOCOLS)("answers unauthenticated without a key over %s", async (protocol) => {
    const err = await clientFor(protocol, server.baseUrl)
      .listSCIMConfigurations({})
      .catch((e: unknown) => ConnectError.from(e));
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("Connect GET works for the NO_SIDE_EFFECTS methods", async () => {
    const message = encodeURIComponent(JSON.stringify({ pagination: { pageSize: 1 } }));
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/ListSCIMConfigurations?connect=v1&encoding=json&message=${message}`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("scimConfigurations");
  });

  it("malformed protobuf is invalid_argument over Connect, gRPC-web and gRPC", async () => {
    const path = "/gitpod.v1.OrganizationService/GetSCIMConfiguration";
    const connect = await fetch(server.baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/proto", authorization: `Bearer ${server.adminKey}` },
      body: GARBAGE,
    });
    expect(connect.status).toBe(400);
    expect(((await connect.json()) as { code: string }).code).toBe("invalid_argument");

    const web = await fetch(server.baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", authorization: `Bearer ${server.adminKey}` },
      body: envelope(GARBAGE),
    });
    const webBody = new TextDecoder().decode(await web.arrayBuffer());
    const webStatus = web.headers.get("grpc-status") ?? /grpc-status: *(\d+)/.exec(webBody)?.[1];
    expect(webStatus).toBe(String(Code.InvalidArgument));

    const grpc = await grpcRaw(server.baseUrl, path, envelope(GARBAGE), server.adminKey);
    expect(grpc.status).toBe(String(Code.InvalidArgument));
    expect(decodeURIComponent(grpc.message)).toContain("not a valid protobuf message");
  });

  it("unknown methods answer unimplemented over gRPC and Connect", async () => {
    const grpc = await grpcRaw(server.baseUrl, "/gitpod.v1.OrganizationService/Nope", envelope(new Uint8Array()), server.adminKey);
    expect(grpc.status).toBe(String(Code.Unimplemented));
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/Nope`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { code: string }).code).toBe("unimplemented");
  });

  it("refuses bodies over 1 MiB with resource_exhausted", async () => {
    const res = await fetch(`${server.baseUrl}/gitpod.v1.OrganizationService/CreateSCIMConfiguration`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ organizationId: server.organizationId, name: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: string }).code).toBe("resource_exhausted");
  });
});

describe("TLS", () => {
  let server: TestServer;
  let cert: Buffer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "tls-"));
    const certFile = join(dir, "cert.pem");
    const keyFile = join(dir, "key.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    cert = execFileSync("cat", [certFile]);
    server = await startTestServer({ env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("offers HTTP/1.1 and HTTP/2 by ALPN on the same port", async () => {
    const url = server.baseUrl.replace("http:", "https:");
    const h1 = await new Promise<{ status: number; alpn: string | false }>((resolve, reject) => {
      const req = https.request(`${url}/gitpod.v1.OrganizationService/ListSCIMConfigurations`, {
        method: "POST",
        ca: cert,
        headers: { "content-type": "application/json", authorization: `Bearer ${server.adminKey}` },
      });
      req.on("response", (res) => {
        res.resume();
        resolve({ status: res.statusCode!, alpn: (res.socket as import("node:tls").TLSSocket).alpnProtocol ?? false });
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(h1.status).toBe(200);
    expect(h1.alpn === "http/1.1" || h1.alpn === false).toBe(true);

    const session = http2.connect(url, { ca: cert });
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({
        ":method": "POST",
        ":path": "/gitpod.v1.OrganizationService/ListSCIMConfigurations",
        "content-type": "application/json",
        authorization: `Bearer ${server.adminKey}`,
      });
      stream.on("response", (h) => resolve(Number(h[":status"])));
      stream.on("error", reject);
      stream.end("{}");
    });
    expect(session.alpnProtocol).toBe("h2");
    session.close();
    expect(status).toBe(200);
  });
});

/** A raw gRPC call over h2c, to send bytes no generated client would. */
function grpcRaw(baseUrl: string, path: string, body: Uint8Array, apiKey: string): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", authorization: `Bearer ${apiKey}` });
    let headers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (headers = { ...headers, ...t }));
    stream.on("data", () => undefined);
    stream.on("end", () => {
      session.close();
      resolve({ status: String(headers["grpc-status"]), message: String(headers["grpc-message"] ?? "") });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}
