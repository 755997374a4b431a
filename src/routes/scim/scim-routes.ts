import { LRUCache } from "lru-cache";
import type { CredentialCheck } from "../../auth/credential-check.js";
import type { AuditTrail } from "../../domain/audit/audit-trail.js";
import type { ScimGroups } from "../../domain/provisioning/scim-groups.js";
import type { ScimUsers } from "../../domain/provisioning/scim-users.js";
import {
  discoveryListResponse,
  findResourceTypeDocument,
  findSchemaDocument,
  resourceTypeDocuments,
  schemaDocuments,
  serviceProviderConfig,
} from "../../domain/scim/discovery-documents.js";
import { GROUP_RESOURCE, USER_RESOURCE } from "../../domain/scim/schema.js";
import { ScimError } from "../../domain/scim/scim-error.js";
import type { HttpRouter } from "../../http/http-router.js";
import type { Logger } from "../../logging/logger.js";
import { createBulkHandler } from "./bulk-route.js";
import type { ConfigurationLimiter } from "./configuration-limiter.js";
import { registerResourceRoutes } from "./resource-routes.js";
import { createScimRoute, type ScimCall } from "./scim-route.js";
import { prepareScim, sendPrepared, sendScim, type PreparedBody } from "./scim-http.js";

export interface ScimRoutesOptions {
  credentials: CredentialCheck;
  limiter: ConfigurationLimiter;
  users: ScimUsers;
  groups: ScimGroups;
  /** PUBLIC_BASE_URL, when set: links are built from it instead of the request's Host. */
  publicBaseUrl: string | undefined;
  /** Records refused calls (disabled configuration, rate limited); the use cases record the changes. */
  audit: AuditTrail;
  logger: Logger;
}

/**
 * SCIM 2.0 under /scim/v2 (RFC 7644), authenticated by the SCIM token of one configuration:
 * Users, Groups, Bulk, and the discovery endpoints, which are rendered from the same schema the
 * requests are validated against. Every answer is application/scim+json.
 */
export function registerScimRoutes(router: HttpRouter, options: ScimRoutesOptions): void {
  const route = createScimRoute(options);
  // Identity providers fetch the discovery documents often (Entra before every cycle), and they
  // only vary with the base URL: render each once per base URL. Bounded, because without
  // PUBLIC_BASE_URL the base comes from the client's Host header.
  const rendered = new LRUCache<string, PreparedBody>({ max: 256 });
  const discovery = (name: string, render: (baseUrl: string) => unknown) =>
    route((c) => {
      const key = `${name} ${c.baseUrl}`;
      let prepared = rendered.get(key);
      if (!prepared) rendered.set(key, (prepared = prepareScim(render(c.baseUrl))));
      sendPrepared(c.res, prepared);
    });

  router.add("GET", "/scim/v2/ServiceProviderConfig", discovery("spc", (base) => serviceProviderConfig(base)));
  router.add("GET", "/scim/v2/ResourceTypes", discovery("types", (base) => discoveryListResponse(resourceTypeDocuments(base))));
  router.add("GET", "/scim/v2/ResourceTypes/*", route((c) => sendScim(c.res, 200, found(findResourceTypeDocument(c.baseUrl, tail(c, "/scim/v2/ResourceTypes/")), "ResourceType"))));
  router.add("GET", "/scim/v2/Schemas", discovery("schemas", (base) => discoveryListResponse(schemaDocuments(base))));
  router.add("GET", "/scim/v2/Schemas/*", route((c) => sendScim(c.res, 200, found(findSchemaDocument(c.baseUrl, tail(c, "/scim/v2/Schemas/")), "Schema"))));

  registerResourceRoutes(router, route, USER_RESOURCE, options.users);
  registerResourceRoutes(router, route, GROUP_RESOURCE, options.groups);
  router.add("POST", "/scim/v2/Bulk", route(createBulkHandler({ users: options.users, groups: options.groups })));

  // A known path with a method it does not take: 405 with Allow, as a SCIM error.
  const allowOnly = (path: string, allowed: string[]) => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.includes(m))) {
      router.add(method, path, route(() => {
        throw new ScimError(405, undefined, `${method} is not allowed on ${path}; use ${allowed.join(" or ")}.`, { allow: allowed.join(", ") });
      }));
    }
  };
  for (const path of ["/scim/v2/ServiceProviderConfig", "/scim/v2/ResourceTypes", "/scim/v2/Schemas"]) allowOnly(path, ["GET"]);
  for (const path of ["/scim/v2/Users", "/scim/v2/Groups"]) allowOnly(path, ["GET", "POST"]);
  for (const path of ["/scim/v2/Users/.search", "/scim/v2/Groups/.search", "/scim/v2/Bulk", "/scim/v2/.search"]) allowOnly(path, ["POST"]);

  const notImplemented = (what: string) => route(() => {
    throw new ScimError(501, undefined, what);
  });
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    router.add(method, "/scim/v2/Me", notImplemented("/Me is not supported: a SCIM token names a configuration, not a user."));
  }
  router.add("POST", "/scim/v2/.search", notImplemented("Searching across resource types is not supported; use POST /Users/.search or /Groups/.search."));
  // Everything else under /scim/v2: a SCIM 404 (never the service's plain 404).
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    router.add(method, "/scim/v2/*", route((c) => {
      throw new ScimError(404, undefined, `${c.url.pathname} is not a SCIM endpoint of this server; see /scim/v2/ResourceTypes.`);
    }));
  }
}

/** The rest of the path after a prefix, percent-decoded (a malformed escape names nothing). */
function tail(call: ScimCall, prefix: string): string {
  try {
    return decodeURIComponent(call.url.pathname.slice(prefix.length));
  } catch {
    return "";
  }
}

function found<T>(document: T | undefined, what: string): T {
  if (document === undefined) throw new ScimError(404, undefined, `No ${what} with this id is defined by this server.`);
  return document;
}
