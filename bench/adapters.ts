/**
 * The bench's only imports from the store adapters and their records. The adapters are moving
 * (src/store/memory → src/adapters/memory, src/store/mongo → src/adapters/mongo); when they do,
 * this is the one file whose paths change.
 */
export { createMemoryStores } from "../src/store/memory/memory-stores.js";
export { createMongoStores } from "../src/store/mongo/mongo-stores.js";
export type { ScimConfigurationRecord } from "../src/store/records.js";
export type { Stores } from "../src/store/stores.js";
