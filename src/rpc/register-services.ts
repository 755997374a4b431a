import type { ConnectRouter } from "@connectrpc/connect";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import type { OrganizationServiceHandler } from "./organization-service.js";

/**
 * Registers the API services, as connect-es's examples do (a class implementing ServiceImpl,
 * whose methods the router binds). JSON options:
 * - every response emits fields at their default (`enabled: false`, an empty list array with
 *   its `pagination`), so a message has one JSON shape whichever RPC returns it, and clients that
 *   expect the list array on an empty page find it;
 * - unknown JSON fields and enum names are refused (invalid_argument naming them, see
 *   src/rpc/json-request-check.ts) instead of ignored: a misspelled `"enabeld": false` must not
 *   answer 200 and change nothing. Reads are held to the same rule: a filter a client believes it
 *   sent but this server ignored would return the wrong page just as silently.
 */
export function registerServices(router: ConnectRouter, organizationService: OrganizationServiceHandler): void {
  router.service(OrganizationService, organizationService, { jsonOptions: { alwaysEmitImplicit: true, ignoreUnknownFields: false } });
}
