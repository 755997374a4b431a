/**
 * The bench's only imports from the store adapters and their records, so a move of the adapters
 * changes one file's paths.
 */
export { createMemoryStores } from "../src/adapters/memory/index.js";
export { createMongoStores } from "../src/adapters/mongo/connection.js";
export { ensureIndexes } from "../src/adapters/mongo/indexes.js";
export type { Stores } from "../src/domain/ports.js";
export type { ScimConfigurationRecord } from "../src/domain/records.js";
