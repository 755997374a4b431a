// What a frontend does with this package: import the generated service descriptor and call the
// server with connect-web's fetch-based transports. Prints one JSON line per protocol.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { OrganizationService, type SCIMConfiguration } from "scim-config-service/gen/gitpod/v1/organization_pb.js";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const baseUrl = process.env.SCIM_TEST_BASE_URL!;
const organizationId = process.env.SCIM_TEST_ORGANIZATION_ID!;
const withKey: Interceptor = (next) => (req) => {
  req.header.set("authorization", `Bearer ${process.env.SCIM_TEST_API_KEY}`);
  return next(req);
};

const transports = {
  "connect-json": createConnectTransport({ baseUrl, useBinaryFormat: false, interceptors: [withKey] }),
  "grpc-web": createGrpcWebTransport({ baseUrl, interceptors: [withKey] }),
};

for (const [protocol, transport] of Object.entries(transports)) {
  const client = createClient(OrganizationService, transport);
  const { ssoConfiguration } = await client.createSSOConfiguration({
    organizationId,
    clientId: `frontend-${protocol}`,
    clientSecret: "frontend-secret",
    issuerUrl: "https://accounts.google.com",
  });
  const created = await client.createSCIMConfiguration({
    organizationId,
    ssoConfigurationId: ssoConfiguration!.id,
    name: `frontend ${protocol}`,
    tokenExpiresIn: { seconds: 7776000n },
  });
  const got = await client.getSCIMConfiguration({ scimConfigurationId: created.scimConfiguration!.id });
  const listed = await client.listSCIMConfigurations({ pagination: { pageSize: 100 } });
  const config: SCIMConfiguration = got.scimConfiguration!;
  console.log(
    JSON.stringify({
      protocol,
      tokenPrefix: created.token.slice(0, 5),
      id: config.id,
      name: config.name,
      enabled: config.enabled,
      lifetimeDays: (timestampDate(created.tokenExpiresAt!).getTime() - timestampDate(config.createdAt!).getTime()) / 86_400_000,
      listed: listed.scimConfigurations.some((c) => c.id === config.id),
    }),
  );
}
