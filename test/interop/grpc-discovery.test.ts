import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ReflectionV1alpha } from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createHealthImpl } from "../../src/rpc/grpc-health.js";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import { startFerretDb, type RunningFerretDb } from "../support/ferretdb.js";
import { interopPaths, run } from "../support/interop-tools.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const { grpcurl } = interopPaths(inject("interopCache"));
const ORGANIZATION_METHODS = [
  "ListMembers",
  "CreateSSOConfiguration",
  "GetSSOConfiguration",
  "ListSSOConfigurations",
  "DeleteSSOConfiguration",
  "UpdateSSOConfiguration",
  "CreateSCIMConfiguration",
  "GetSCIMConfiguration",
  "ListSCIMConfigurations",
  "UpdateSCIMConfiguration",
  "DeleteSCIMConfiguration",
  "RegenerateSCIMToken",
];

describe("grpcurl with no proto files (server reflection)", () => {
  let server: TestServer;
  let address: string;
  const grpc = (...args: string[]) => run(grpcurl, ["-plaintext", "-max-time", "20", ...args], { timeoutMs: 30_000 });

  beforeAll(async () => {
    server = await startTestServer();
    address = `127.0.0.1:${server.app.listener.address.port}`;
  });
  afterAll(() => server.close());

  it("lists every service, unauthenticated", async () => {
    const res = await grpc(address, "list");
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n")).toEqual([
      "gitpod.v1.EventService",
      "gitpod.v1.GroupService",
      "gitpod.v1.OrganizationService",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "scimservice.v1.AuditDetailService",
      "scimservice.v1.SCIMCredentialService",
    ]);
  });

  it("lists all twelve methods of OrganizationService", async () => {
    const res = await grpc(address, "list", "gitpod.v1.OrganizationService");
    // grpcurl prints them sorted.
    expect(res.stdout.trim().split("\n")).toEqual(ORGANIZATION_METHODS.map((m) => `gitpod.v1.OrganizationService.${m}`).sort());
  });

  it("describes a method and a message with their field numbers", async () => {
    const method = await grpc(address, "describe", "gitpod.v1.OrganizationService.RegenerateSCIMToken");
    expect(method.stdout).toContain("rpc RegenerateSCIMToken ( .gitpod.v1.RegenerateSCIMTokenRequest ) returns ( .gitpod.v1.RegenerateSCIMTokenResponse )");
    const message = await grpc(address, "describe", "gitpod.v1.SCIMConfiguration");
    for (const line of [
      "string id = 1;",
      "string organization_id = 2;",
      "string name = 3;",
      "bool enabled = 4;",
      "string sso_configuration_id = 5;",
      ".google.protobuf.Timestamp created_at = 6;",
      ".google.protobuf.Timestamp updated_at = 7;",
      ".google.protobuf.Timestamp token_expires_at = 8;",
      "bool allow_unverified_email_account_linking = 9;",
    ]) {
      expect(message.stdout).toContain(line);
    }
    const request = await grpc(address, "describe", ".gitpod.v1.CreateSCIMConfigurationRequest");
    expect(request.stdout).toContain("optional .google.protobuf.Duration token_expires_in = 4;");
  });

  it("calls the API with -d (JSON in, JSON out) and a key in a header", async () => {
    const auth = `authorization: Bearer ${server.adminKey}`;
    const sso = await grpc(
      "-H", auth,
      "-d", JSON.stringify({ organizationId: server.organizationId, clientId: "grpcurl", clientSecret: "s3cret-value", issuerUrl: "https://idp.example.com" }),
      address, "gitpod.v1.OrganizationService/CreateSSOConfiguration",
    );
    expect(sso.stderr).toBe("");
    const ssoId = JSON.parse(sso.stdout).ssoConfiguration.id as string;
    expect(JSON.parse(sso.stdout).ssoConfiguration).not.toHaveProperty("clientSecret");

    const created = await grpc(
      "-H", auth,
      "-d", JSON.stringify({ organizationId: server.organizationId, ssoConfigurationId: ssoId, name: "from grpcurl", tokenExpiresIn: "7776000s" }),
      address, "gitpod.v1.OrganizationService/CreateSCIMConfiguration",
    );
    expect(created.stderr).toBe("");
    const body = JSON.parse(created.stdout);
    expect(body.token).toMatch(/^scim_/);
    expect(body.scimConfiguration).toMatchObject({ organizationId: server.organizationId, ssoConfigurationId: ssoId, name: "from grpcurl", enabled: true });
    const lifetimeMs = Date.parse(body.tokenExpiresAt) - Date.parse(body.scimConfiguration.createdAt);
    expect(Math.abs(lifetimeMs - 7_776_000_000)).toBeLessThan(5_000);

    const got = await grpc("-H", auth, "-d", JSON.stringify({ scimConfigurationId: body.scimConfiguration.id }), address, "gitpod.v1.OrganizationService/GetSCIMConfiguration");
    expect(JSON.parse(got.stdout).scimConfiguration.id).toBe(body.scimConfiguration.id);
    expect(got.stdout).not.toContain(body.token);
  });

  it("reports gRPC status codes: no key is Unauthenticated, an unknown id NotFound, a bad lifetime InvalidArgument", async () => {
    const noKey = await grpc("-d", JSON.stringify({ scimConfigurationId: randomUUID() }), address, "gitpod.v1.OrganizationService/GetSCIMConfiguration");
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain("Code: Unauthenticated");

    const auth = `authorization: Bearer ${server.adminKey}`;
    const unknown = await grpc("-H", auth, "-d", JSON.stringify({ scimConfigurationId: randomUUID() }), address, "gitpod.v1.OrganizationService/GetSCIMConfiguration");
    expect(unknown.stderr).toContain("Code: NotFound");

    const badLifetime = await grpc(
      "-H", auth,
      "-d", JSON.stringify({ organizationId: server.organizationId, ssoConfigurationId: randomUUID(), tokenExpiresIn: "86399s" }),
      address, "gitpod.v1.OrganizationService/CreateSCIMConfiguration",
    );
    expect(badLifetime.stderr).toContain("Code: InvalidArgument");
    expect(badLifetime.stderr).toContain("token_expires_in");
  });

  it("sees the read-back services, their methods and upstream's field numbers", async () => {
    const groups = await grpc(address, "list", "gitpod.v1.GroupService");
    expect(groups.stdout.trim().split("\n")).toEqual(
      [
        "CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "DeleteGroup", "CreateMembership", "DeleteMembership", "GetMembership",
        "ListMemberships", "CreateRoleAssignment", "ListRoleAssignments", "DeleteRoleAssignment", "ShareResourceWithPrincipal", "UnshareResourceWithPrincipal",
      ].map((m) => `gitpod.v1.GroupService.${m}`).sort(),
    );
    const events = await grpc(address, "list", "gitpod.v1.EventService");
    expect(events.stdout.trim().split("\n")).toEqual(["gitpod.v1.EventService.GetAuditLog", "gitpod.v1.EventService.ListAuditLogs"]);
    const member = await grpc(address, "describe", "gitpod.v1.OrganizationMember");
    for (const line of ["string user_id = 1;", ".gitpod.v1.OrganizationRole role = 2;", ".google.protobuf.Timestamp member_since = 3;", "string full_name = 5;", "string email = 6;", ".gitpod.v1.UserStatus status = 7;", "string login_provider = 8;"]) {
      expect(member.stdout).toContain(line);
    }
    const group = await grpc(address, "describe", "gitpod.v1.Group");
    for (const line of ["string name = 3;", "int32 member_count = 8;", "bool direct_share = 9;"]) expect(group.stdout).toContain(line);
    const entry = await grpc(address, "describe", "gitpod.v1.ListAuditLogsResponse.AuditLogEntry");
    for (const line of ["string actor_id = 2;", ".gitpod.v1.Principal actor_principal = 3;", ".gitpod.v1.ResourceType subject_type = 5;", "string action = 6;", ".gitpod.v1.AuditLogEntryKind kind = 8;"]) {
      expect(entry.stdout).toContain(line);
    }
    const auth = `authorization: Bearer ${server.adminKey}`;
    const members = await grpc("-H", auth, "-d", JSON.stringify({ organizationId: server.organizationId, count: { include: true } }), address, "gitpod.v1.OrganizationService/ListMembers");
    expect(members.stderr).toBe("");
    expect(JSON.parse(members.stdout)).toMatchObject({ count: { relation: "COUNT_RESPONSE_RELATION_EQ" } });
    const listed = await grpc("-H", auth, "-d", "{}", address, "gitpod.v1.GroupService/ListGroups");
    expect(listed.stderr).toBe("");
    const audit = await grpc("-H", auth, "-d", JSON.stringify({ pagination: { pageSize: 5 } }), address, "gitpod.v1.EventService/ListAuditLogs");
    expect(JSON.parse(audit.stdout).entries.length).toBeGreaterThan(0);
    const update = await grpc("-H", auth, "-d", JSON.stringify({ groupId: randomUUID() }), address, "gitpod.v1.GroupService/UpdateGroup");
    expect(update.stderr).toContain("Code: NotFound");
  });

  it("checks health over the standard service, unauthenticated", async () => {
    const overall = await grpc(address, "grpc.health.v1.Health/Check");
    expect(JSON.parse(overall.stdout)).toEqual({ status: "SERVING" });
    for (const service of ["gitpod.v1.OrganizationService", "gitpod.v1.GroupService", "gitpod.v1.EventService", "scimservice.v1.AuditDetailService", "scimservice.v1.SCIMCredentialService"]) {
      const api = await grpc("-d", JSON.stringify({ service }), address, "grpc.health.v1.Health/Check");
      expect(JSON.parse(api.stdout)).toEqual({ status: "SERVING" });
    }
    const unknown = await grpc("-d", '{"service":"no.such.Service"}', address, "grpc.health.v1.Health/Check");
    expect(unknown.stderr).toContain("Code: NotFound");
  });

  it("answers the older v1alpha reflection protocol too", async () => {
    const client = createClient(ReflectionV1alpha, createGrpcTransport({ baseUrl: server.baseUrl, idleConnectionTimeoutMs: 200 }));
    const requests = async function* () {
      yield { messageRequest: { case: "listServices" as const, value: "" } };
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "gitpod.v1.RegenerateSCIMTokenRequest" } };
      yield { messageRequest: { case: "fileByFilename" as const, value: "no/such.proto" } };
    };
    const answers = [];
    for await (const answer of client.serverReflectionInfo(requests())) answers.push(answer.messageResponse);

    expect(answers[0]?.case).toBe("listServicesResponse");
    expect(answers[1]?.case).toBe("fileDescriptorResponse");
    const files = answers[1]?.case === "fileDescriptorResponse" ? answers[1].value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b)) : [];
    expect(files.map((f) => f.name)).toEqual([
      "gitpod/v1/organization.proto",
      "gitpod/v1/count.proto",
      "gitpod/v1/login_provider.proto",
      "gitpod/v1/pagination.proto",
      "gitpod/v1/user.proto",
      "google/protobuf/duration.proto",
      "google/protobuf/timestamp.proto",
    ]);
    const regenerate = files[0]?.messageType.find((m) => m.name === "RegenerateSCIMTokenRequest");
    expect(regenerate?.field.map((f) => [f.name, f.number])).toEqual([
      ["scim_configuration_id", 1],
      ["token_expires_in", 2],
    ]);
    expect(answers[2]).toMatchObject({ case: "errorResponse", value: { errorCode: 5 } });
  });
});

describe("grpc.health.v1 follows the database", () => {
  let ferret: RunningFerretDb;
  let server: TestServer;

  beforeAll(async () => {
    ferret = await startFerretDb();
    const stores = await createMongoStores({ uri: ferret.uri, database: "health", operationTimeoutMs: 1_000 });
    server = await startTestServer({ stores });
  });
  afterAll(async () => {
    await server?.close();
    await ferret?.destroy();
  });

  it("is SERVING with the database up, NOT_SERVING while it is down, and SERVING again after", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.baseUrl, idleConnectionTimeoutMs: 200 }));
    expect((await health.check({})).status).toBe(Status.SERVING);

    await ferret.stop();
    expect((await health.check({})).status).toBe(Status.NOT_SERVING);
    expect((await health.check({ service: "gitpod.v1.OrganizationService" })).status).toBe(Status.NOT_SERVING);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);

    await ferret.start();
    await expect.poll(async () => (await health.check({})).status, { timeout: 15_000, interval: 250 }).toBe(Status.SERVING);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
  }, 60_000);
});

describe("grpc.health.v1 Watch", () => {
  it("sends the status at once, then each change, and SERVICE_UNKNOWN for an unknown service", async () => {
    let up = true;
    const impl = createHealthImpl({ services: ["gitpod.v1.OrganizationService"], ping: async () => up, watchIntervalMs: 20 });
    const client = createClient(Health, createRouterTransport((r) => r.service(Health, impl)));

    const abort = new AbortController();
    const seen: Status[] = [];
    try {
      for await (const res of client.watch({ service: "gitpod.v1.OrganizationService" }, { signal: abort.signal })) {
        seen.push(res.status);
        if (seen.length === 1) up = false;
        if (seen.length === 2) up = true;
        if (seen.length === 3) abort.abort();
      }
    } catch (err) {
      // Aborting the call is how a client ends a Watch; it surfaces as Canceled.
      expect(ConnectError.from(err).code).toBe(Code.Canceled);
    }
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING, Status.SERVING]);

    const unknown = client.watch({ service: "no.such.Service" });
    for await (const res of unknown) {
      expect(res.status).toBe(Status.SERVICE_UNKNOWN);
      break;
    }
  });
});
