import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { EventService } from "../../gen/gitpod/v1/event_pb.js";
import { GroupService } from "../../gen/gitpod/v1/group_pb.js";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import { AuditDetailService } from "../../gen/scimservice/v1/audit_details_pb.js";
import { SCIMCredentialService } from "../../gen/scimservice/v1/scim_credentials_pb.js";
import type { AuditDetailServiceHandler } from "./audit-detail-service.js";
import type { EventServiceHandler } from "./event-service.js";
import type { GroupServiceHandler } from "./group-service.js";
import type { OrganizationServiceHandler } from "./organization-service.js";
import type { ScimCredentialServiceHandler } from "./scim-credential-service.js";

/** Every API service, in the order reflection lists them; health checks report each. */
export const API_SERVICES: readonly DescService[] = [OrganizationService, GroupService, EventService, AuditDetailService, SCIMCredentialService];

/** The handlers of the services that read back what identity providers provisioned, and the audit trail. */
export interface ReadBackHandlers {
  groups: GroupServiceHandler;
  events: EventServiceHandler;
  auditDetails: AuditDetailServiceHandler;
}

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
export function registerServices(
  router: ConnectRouter,
  organizationService: OrganizationServiceHandler,
  readBack: ReadBackHandlers,
  credentials: ScimCredentialServiceHandler,
): void {
  const options = { jsonOptions: { alwaysEmitImplicit: true, ignoreUnknownFields: false } };
  router.service(OrganizationService, organizationService, options);
  router.service(GroupService, readBack.groups, options);
  router.service(EventService, readBack.events, options);
  router.service(AuditDetailService, readBack.auditDetails, options);
  router.service(SCIMCredentialService, credentials, options);
}
