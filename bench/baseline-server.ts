/**
 * The floor to compare with: a bare connect-node handler on the same database that answers
 * GetSCIMConfiguration and ListSCIMConfigurations with one driver call each and no auth,
 * validation or error mapping; a bare route that finds a SCIM token by its hash; and a bare
 * token rotation sending the service's two commands (the write and its audit entry). Plain http
 * and http2 servers on two ports (no protocol sniffing).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { MongoClient } from "mongodb";
import {
  GetSCIMConfigurationResponseSchema,
  ListSCIMConfigurationsResponseSchema,
  OrganizationService,
  RegenerateSCIMTokenResponseSchema,
  SCIMConfigurationSchema,
} from "../gen/gitpod/v1/organization_pb.js";
import { PaginationResponseSchema } from "../gen/gitpod/v1/pagination_pb.js";
import { newId } from "../src/domain/ids.js";
import { printReady } from "./protocol.js";

interface Doc {
  _id: string;
  organizationId: string;
  name: string;
  enabled: boolean;
  ssoConfigurationId: string;
  allowUnverifiedEmailAccountLinking: boolean;
  createdAt: Date;
  updatedAt: Date;
  tokenHash: string;
  tokenIssuedAt: Date;
  tokenLifetimeSeconds: number;
}

const expiresAt = (d: Doc) => new Date(d.tokenIssuedAt.getTime() + d.tokenLifetimeSeconds * 1000);

const uri = process.env.MONGODB_URI!;
const organizationId = process.env.INIT_ORGANIZATION_ID!;
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000, socketTimeoutMS: 5000 });
await client.connect();
const collection = client.db(process.env.MONGODB_DB!).collection<Doc>("scim_configurations");
const auditLog = client.db(process.env.MONGODB_DB!).collection<{ _id: string } & Record<string, unknown>>("audit_log");
const BENCH_ACTOR = randomUUID();

// The message has to be built to be sent at all; this is that, with nothing on top.
const toMessage = (d: Doc) =>
  create(SCIMConfigurationSchema, {
    id: d._id,
    organizationId: d.organizationId,
    name: d.name,
    enabled: d.enabled,
    ssoConfigurationId: d.ssoConfigurationId,
    createdAt: timestampFromDate(d.createdAt),
    updatedAt: timestampFromDate(d.updatedAt),
    tokenExpiresAt: timestampFromDate(expiresAt(d)),
    allowUnverifiedEmailAccountLinking: d.allowUnverifiedEmailAccountLinking,
  });

function routes(router: ConnectRouter) {
  router.rpc(OrganizationService.method.getSCIMConfiguration, async (req) => {
    const doc = await collection.findOne({ _id: req.scimConfigurationId });
    return create(GetSCIMConfigurationResponseSchema, doc ? { scimConfiguration: toMessage(doc) } : {});
  });
  router.rpc(
    OrganizationService.method.listSCIMConfigurations,
    async () => {
      const docs = await collection.find({ organizationId }).sort({ organizationId: 1, _id: 1 }).limit(26).toArray();
      return create(ListSCIMConfigurationsResponseSchema, {
        pagination: create(PaginationResponseSchema, { nextToken: "" }),
        scimConfigurations: docs.slice(0, 25).map(toMessage),
      });
    },
    { jsonOptions: { alwaysEmitImplicit: true } },
  );
  router.rpc(OrganizationService.method.regenerateSCIMToken, async (req) => {
    const token = `scim_${randomBytes(30).toString("base64url")}`;
    // The service's two commands. The same write: new hash, issue time, id and prefix, the
    // stored lifetime kept, rotated-out tokens and their usage ended, the credential version
    // moved, and only within the caller's organization (a key of one organization must not
    // rotate another's token; on FerretDB the second field alone costs ~20%: it serves only
    // {_id} without a scan). Then the change's audit entry (issue 12), as the provisioning
    // baseline writes one; what that entry costs is the audit row's figure.
    const now = new Date();
    const doc = await collection.findOneAndUpdate(
      { _id: req.scimConfigurationId, organizationId },
      {
        $set: { tokenHash: createHash("sha256").update(token).digest("hex"), tokenIssuedAt: new Date(), tokenId: randomUUID(), tokenPrefix: token.slice(0, 9) },
        $unset: { tokenExpiresAt: "", tokenEndsAt: "", previousTokens: "", tokenUsage: "" },
        $inc: { credentialVersion: 1 },
        $max: { updatedAt: new Date() },
      },
      { returnDocument: "after" },
    );
    if (doc) {
      await auditLog.insertOne({
        _id: newId(now),
        organizationId,
        createdAt: now,
        kind: "resource_change",
        actorKind: "api_key",
        actorId: BENCH_ACTOR,
        action: "scim_configuration.regenerate_token",
        subjectType: "scim_configuration",
        subjectId: doc._id,
        requestId: "",
        clientAddress: "127.0.0.1",
        changedFields: ["token", "token_expires_at"],
        scimConfigurationId: "",
        scimResourceId: "",
        bulkOperation: 0,
      });
    }
    return create(RegenerateSCIMTokenResponseSchema, doc ? { token, tokenExpiresAt: timestampFromDate(expiresAt(doc)) } : {});
  });
}

const handler = connectNodeAdapter({ routes });
const h1 = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.url === "/verify") {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    // The service's lookup: the current or a rotated-out token, one round trip.
    const hash = createHash("sha256").update(token).digest("hex");
    collection.findOne({ $or: [{ tokenHash: hash }, { "previousTokens.hash": hash }] }).then((doc) => {
      const body = JSON.stringify(doc ? { id: doc._id } : { reason: "unknown" });
      res.writeHead(doc ? 200 : 401, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    return;
  }
  handler(req, res);
});
const h2 = http2.createServer(handler);
await new Promise<void>((resolve) => h1.listen(0, "127.0.0.1", resolve));
await new Promise<void>((resolve) => h2.listen(0, "127.0.0.1", resolve));
printReady({ h1Port: (h1.address() as { port: number }).port, h2Port: (h2.address() as { port: number }).port });
process.on("SIGTERM", () => process.exit(0));
