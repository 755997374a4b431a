import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import type { Session } from "./session.js";

export type OrganizationClient = Client<typeof OrganizationService>;

/** Rows per page in the console's tables, and per call when it loads a whole list. */
export const PAGE_SIZE = 10;

/** No call may leave the page waiting forever. */
const CALL_TIMEOUT_MS = 15_000;

/** The generated OrganizationService client, over Connect JSON or gRPC-web as the session says. */
export function createOrganizationClient(session: Session): OrganizationClient {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${session.apiKey}`);
    return next(req);
  };
  const options = { baseUrl: session.baseUrl.replace(/\/+$/, ""), interceptors: [auth], defaultTimeoutMs: CALL_TIMEOUT_MS };
  const transport =
    session.protocol === "grpc-web" ? createGrpcWebTransport(options) : createConnectTransport({ ...options, useBinaryFormat: false });
  return createClient(OrganizationService, transport);
}
