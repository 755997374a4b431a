import type { DescMethod } from "@bufbuild/protobuf";
import type { ConnectRouter, MethodImpl } from "@connectrpc/connect";
import { OrganizationService } from "../../gen/gitpod/v1/organization_pb.js";
import type { OrganizationServiceHandler } from "../service/organization-service.js";

/**
 * Registers every OrganizationService method. List responses are written with implicit fields
 * emitted, because clients rely on the list array and `pagination` being present even when the
 * page is empty (protojson would leave an empty array out); every other response leaves default
 * values out, as upstream does.
 */
export function registerRoutes(router: ConnectRouter, handler: OrganizationServiceHandler): void {
  for (const method of OrganizationService.methods) {
    const impl = (handler as unknown as Record<string, MethodImpl<DescMethod>>)[method.localName];
    if (!impl) throw new Error(`OrganizationServiceHandler lacks ${method.name}`);
    const isList = method.name.startsWith("List");
    router.rpc(method, impl, isList ? { jsonOptions: { alwaysEmitImplicit: true } } : {});
  }
}
