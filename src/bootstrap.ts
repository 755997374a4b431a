import { randomUUID } from "node:crypto";
import type { ApiKeys } from "./domain/api-keys.js";
import type { Config } from "./config.js";
import type { Logger } from "./logging/logger.js";
import type { Stores } from "./domain/ports.js";

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
export async function bootstrapKeys(config: Config, stores: Stores, apiKeys: ApiKeys, logger: Logger): Promise<ShownOnce | undefined> {
  if (config.initAdmin) {
    const created = await apiKeys.ensure(config.initAdmin.organizationId, config.initAdmin.apiKey, "INIT_ADMIN_API_KEY");
    logger.info({ organizationId: config.initAdmin.organizationId, created }, "bootstrap admin API key from INIT_ADMIN_API_KEY is in place");
    return undefined;
  }
  if (stores.kind !== "memory" || (await stores.apiKeys.count()) > 0) return undefined;
  const organizationId = randomUUID();
  const { key } = await apiKeys.issue(organizationId, "admin", "development key (embedded mode)");
  return { organizationId, apiKey: key };
}
