import type { ApiKeyRole } from "./records.js";
import { PermissionDeniedError } from "./errors.js";

/** Who is calling the management API: one organization, one role, from one API key. */
export interface Principal {
  organizationId: string;
  role: ApiKeyRole;
  apiKeyId: string;
}

/** Writes need an admin key; member keys may only read. */
export function requireAdmin(principal: Principal): void {
  if (principal.role !== "admin") {
    throw new PermissionDeniedError("this API key has the member role and may only read; writes need an admin key");
  }
}

/**
 * A request that names an organization must name the caller's own. Unlike an id of another
 * organization's resource (answered not found, so as not to reveal it exists), the organization
 * id is the caller's own input, so refusing it reveals nothing.
 */
export function requireOwnOrganization(principal: Principal, organizationId: string): void {
  if (organizationId !== principal.organizationId) {
    throw new PermissionDeniedError("organization_id must be the organization of the calling API key");
  }
}
