import type { Stores } from "../../domain/ports.js";
import { MemoryApiKeyStore } from "./api-keys.js";
import { MemoryAuditStore } from "./audit-log.js";
import { MemoryMemberStore } from "./members.js";
import { MemoryMembershipStore } from "./memberships.js";
import { MemoryScimGroupStore } from "./scim-groups.js";
import { MemoryScimUserStore } from "./scim-users.js";
import { MemoryScimConfigurationStore } from "./scim-configurations.js";
import { MemorySsoConfigurationStore } from "./sso-configurations.js";

/**
 * In-memory adapters: the embedded default of `npm start` and a second implementation that the
 * store contract suite holds to the same behaviour as MongoDB. Lookups go through maps and
 * sorted keys, as MongoDB's go through indexes, so no operation scans the whole store.
 */
export function createMemoryStores(): Stores {
  return {
    kind: "memory",
    scimConfigurations: new MemoryScimConfigurationStore(),
    ssoConfigurations: new MemorySsoConfigurationStore(),
    apiKeys: new MemoryApiKeyStore(),
    scimUsers: new MemoryScimUserStore(),
    scimGroups: new MemoryScimGroupStore(),
    memberships: new MemoryMembershipStore(),
    members: new MemoryMemberStore(),
    audit: new MemoryAuditStore(),
    auditTtl: false,
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
