import { randomUUID } from "node:crypto";
import type { ApiKeys } from "./domain/api-keys.js";
import type { Config } from "./config.js";
import type { Logger } from "./logging/logger.js";
import type { Stores } from "./domain/ports.js";
import type { AuditContext } from "./domain/audit/audit-entry.js";

/** Keys made at start-up are recorded as made by the service itself, not by a caller. */
const STARTUP: AuditContext = { actor: { kind: "system", id: "startup" }, requestId: randomUUID(), clientAddress: "" };

/** A key created at start-up that must be shown once (the development key of embedded mode). */
export interface ShownOnce {
  organizationId: string;
  apiKey: string;
}

/**
 * Start-up keys. INIT_ORGANIZATION_ID + INIT_ADMIN_API_KEY make sure that key exists as an admin
 * key (idempotent, like Unleash's INIT_ADMIN_API_TOKENS). In embedded mode with no keys at all,
 * a development organization and admin key are created and returned to be printed once; with
 * MongoDB that never happens, so a production database never gets a key nobody asked for.
 */
export async function bootstrapKeys(config: Config, stores: Stores, apiKeys: ApiKeys, logger: Logger): Promise<BootstrapOutcome> {
  if (config.initAdmin) {
    const created = await apiKeys.ensure(config.initAdmin.organizationId, config.initAdmin.apiKey, "INIT_ADMIN_API_KEY", STARTUP);
    logger.info({ organizationId: config.initAdmin.organizationId, created }, "bootstrap admin API key from INIT_ADMIN_API_KEY is in place");
    return { noKeys: false };
  }
  if ((await stores.apiKeys.count()) > 0) return { noKeys: false };
  if (stores.kind !== "memory") {
    // A database with no key at all cannot be used: say how to make the first one.
    logger.warn({ hint: NO_KEYS_HINT }, "no management API key exists yet");
    return { noKeys: true };
  }
  const organizationId = randomUUID();
  const { key } = await apiKeys.issue(organizationId, "admin", "development key (embedded mode)", STARTUP);
  return { noKeys: false, developmentKey: { organizationId, apiKey: key } };
}

/** What start-up found about keys. */
export interface BootstrapOutcome {
  /** Set when embedded mode created a development key that must be printed once. */
  developmentKey?: ShownOnce;
  /** True when the database holds no management API key (and none was configured). */
  noKeys: boolean;
}

/** How to make the first key, printed when a MongoDB database has none. */
export const NO_KEYS_HINT =
  "No management API key exists in this database yet, so no call can authenticate. Create one with\n" +
  "  npm run admin -- keys create --organization <organization uuid> --role admin --name \"platform team\"\n" +
  "(same MONGODB_URI and MONGODB_DB), or restart with INIT_ORGANIZATION_ID=<uuid> and INIT_ADMIN_API_KEY=<32+ character secret>.";
