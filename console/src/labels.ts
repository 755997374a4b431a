import { ResourceType } from "../../gen/gitpod/v1/event_pb.js";
import { UserStatus } from "../../gen/gitpod/v1/user_pb.js";

/** How the console names a member status, and the badge class it wears. */
export function statusLabel(status: UserStatus): { text: string; badge: string } {
  switch (status) {
    case UserStatus.ACTIVE:
      return { text: "Active", badge: "on" };
    case UserStatus.SUSPENDED:
      return { text: "Suspended", badge: "warn" };
    case UserStatus.LEFT:
      return { text: "Left", badge: "off" };
    default:
      return { text: "Unknown", badge: "off" };
  }
}

const ACTIONS: Record<string, string> = {
  "sso_configuration.create": "SSO configuration created",
  "sso_configuration.update": "SSO configuration changed",
  "sso_configuration.delete": "SSO configuration deleted",
  "scim_configuration.create": "SCIM configuration created",
  "scim_configuration.update": "SCIM configuration changed",
  "scim_configuration.delete": "SCIM configuration deleted",
  "scim_configuration.regenerate_token": "SCIM token regenerated",
  "scim_configuration.rotate_token": "SCIM token rotated",
  "scim_configuration.revoke_token": "SCIM token revoked",
  "scim_configuration.set_ip_allowlist": "IP allowlist changed",
  "scim_configuration.create_client_secret": "Client secret created",
  "scim_configuration.revoke_client_secret": "Client secret revoked",
  "api_key.create": "API key created",
  "api_key.revoke": "API key revoked",
  "scim.user.create": "User provisioned",
  "scim.user.replace": "User replaced",
  "scim.user.patch": "User updated",
  "scim.user.delete": "User deprovisioned",
  "scim.group.create": "Group provisioned",
  "scim.group.replace": "Group replaced",
  "scim.group.patch": "Group updated",
  "scim.group.delete": "Group deleted",
  "scim.request.refused.disabled": "SCIM call refused: configuration disabled",
  "scim.request.refused.rate_limited": "SCIM call refused: rate limited",
  "scim.request.refused.address_not_allowed": "SCIM call refused: address not in the IP allowlist",
};

/** An audit action in words; an action this console does not know is shown as it is. */
export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

const SUBJECTS: Partial<Record<ResourceType, string>> = {
  [ResourceType.SCIM_CONFIGURATION]: "SCIM configuration",
  [ResourceType.SSO_CONFIG]: "SSO configuration",
  [ResourceType.SERVICE_ACCOUNT_TOKEN]: "API key",
  [ResourceType.USER]: "User",
  [ResourceType.GROUP]: "Group",
};

export function subjectLabel(type: ResourceType): string {
  return SUBJECTS[type] ?? "Resource";
}

/**
 * Who did it, for people: a SCIM configuration by its name when known, the admin CLI, start-up,
 * or an API key by the start of its id (the full id is in the title).
 */
export function actorLabel(actorId: string, configurationNames: ReadonlyMap<string, string>): string {
  const name = configurationNames.get(actorId);
  if (name !== undefined) return `SCIM: ${name}`;
  if (actorId === "cli") return "Admin CLI";
  if (actorId === "startup") return "Service start-up";
  return `API key ${actorId.slice(0, 8)}…`;
}
