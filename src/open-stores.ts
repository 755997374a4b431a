import type { Config } from "./config.js";
import { createMemoryStores } from "./adapters/memory/index.js";
import { createMongoStores } from "./adapters/mongo/connection.js";
import type { Stores } from "./domain/ports.js";

/** MongoDB when MONGODB_URI is set, otherwise the embedded in-memory store. */
export function openStores(config: Pick<Config, "mongodbUri" | "mongodbDatabase" | "dbTimeoutMs" | "auditRetentionDays">): Promise<Stores> {
  if (config.mongodbUri === undefined) return Promise.resolve(createMemoryStores());
  return createMongoStores({
    uri: config.mongodbUri,
    database: config.mongodbDatabase,
    operationTimeoutMs: config.dbTimeoutMs,
    auditRetentionDays: config.auditRetentionDays,
    // The database metrics come from the driver's command events (src/observability/database-metrics.ts).
    clientOptions: { monitorCommands: true },
  });
}
