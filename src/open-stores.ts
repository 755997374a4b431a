import type { Config } from "./config.js";
import { createMemoryStores } from "./adapters/memory/index.js";
import { createMongoStores } from "./adapters/mongo/connection.js";
import type { Stores } from "./domain/ports.js";

/** MongoDB when MONGODB_URI is set, otherwise the embedded in-memory store. */
export function openStores(config: Pick<Config, "mongodbUri" | "mongodbDatabase" | "dbTimeoutMs" | "auditRetentionDays" | "operations">): Promise<Stores> {
  if (config.mongodbUri === undefined) return Promise.resolve(createMemoryStores());
  return createMongoStores({
    uri: config.mongodbUri,
    database: config.mongodbDatabase,
    operationTimeoutMs: config.dbTimeoutMs,
    auditRetentionDays: config.auditRetentionDays,
    clientOptions: {
      // The per-command metrics come from the driver's command events (src/observability/database-metrics.ts),
      // which cost the driver CPU per command: only with DB_COMMAND_METRICS=on.
      monitorCommands: config.operations.dbCommandMetrics,
      // Tokens are checked against the primary only, whatever MONGODB_URI says (options given here
      // win over the URI's): a lagging secondary could still hold a token that was regenerated,
      // deleted or disabled, and "at once on every replica" would no longer hold (docs/deploying.md).
      readPreference: "primary",
    },
  });
}
