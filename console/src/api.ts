import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { GroupService } from "../../gen/gitpod/v1/group_pb.js";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { SCIMCredentialService } from "../../gen/scimservice/v1/scim_credentials_pb.js";
import type { Session } from "./session.js";

export type OrganizationClient = Client<typeof OrganizationService>;
/** This service's own scimservice.v1.SCIMCredentialService: tokens, the IP allowlist, client secrets. */
export type CredentialsClient = Client<typeof SCIMCredentialService>;

/** Rows per page in the console's tables, and per call when it loads a whole list. */
export const PAGE_SIZE = 10;
/** The clients of the read-back tabs: groups, the audit trail and its details. */
export interface ReadClients {
  groups: Client<typeof GroupService>;
  events: Client<typeof EventService>;
  details: Client<typeof AuditDetailService>;
}

/** No call may leave the page waiting forever. */
const CALL_TIMEOUT_MS = 15_000;

/** The generated OrganizationService client, over Connect JSON or gRPC-web as the session says. */
export function createOrganizationClient(session: Session): OrganizationClient {
  return createClient(OrganizationService, transportOf(session));
}

/** GroupService, EventService and AuditDetailService clients on the session's protocol. */
export function createReadClients(session: Session): ReadClients {
  const transport = transportOf(session);
  return { groups: createClient(GroupService, transport), events: createClient(EventService, transport), details: createClient(AuditDetailService, transport) };
}

/** The SCIMCredentialService client on the session's protocol. */
export function createCredentialsClient(session: Session): CredentialsClient {
  return createClient(SCIMCredentialService, transportOf(session));
}

function transportOf(session: Session): Transport {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${session.apiKey}`);
    return next(req);
  };
  const options = { baseUrl: session.baseUrl.replace(/\/+$/, ""), interceptors: [auth], defaultTimeoutMs: CALL_TIMEOUT_MS };
  return session.protocol === "grpc-web" ? createGrpcWebTransport(options) : createConnectTransport({ ...options, useBinaryFormat: false });
}
