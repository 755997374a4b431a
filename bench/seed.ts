import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { newId } from "../src/domain/ids.js";
import { generateToken, hashSecret, SCIM_TOKEN } from "../src/domain/secret-token.js";
import { createMongoStores } from "../src/adapters/mongo/connection.js";
import type { ScimConfigurationRecord } from "../src/domain/records.js";

const YEAR_S = 365 * 86_400;

function record(organizationId: string, now: Date, tokenHash = hashSecret(generateToken(SCIM_TOKEN))): ScimConfigurationRecord {
  return {
    id: newId(now),
    organizationId,
    name: "bench",
    enabled: true,
    ssoConfigurationId: randomUUID(),
    allowUnverifiedEmailAccountLinking: false,
    createdAt: now,
    updatedAt: now,
    tokenHash,
    tokenIssuedAt: now,
    tokenLifetimeSeconds: YEAR_S,
  };
}

/**
 * Writes `count` SCIM configurations of one organization through the service's own store (so the
 * documents and indexes are exactly the service's), and returns their ids in page order and the
 * plaintext token of the first one.
 */
export async function seedThroughStore(uri: string, database: string, organizationId: string, count: number): Promise<{ ids: string[]; token: string }> {
  const stores = await createMongoStores({ uri, database, operationTimeoutMs: 30_000 });
  const token = generateToken(SCIM_TOKEN);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = record(organizationId, new Date(), i === 0 ? hashSecret(token) : undefined);
    await stores.scimConfigurations.create(r);
    ids.push(r.id);
  }
  await stores.close();
  return { ids, token };
}

/**
 * Bulk-loads a large organization: the store creates the collection and its indexes, then the
 * documents go in with insertMany in the store's document shape (id as _id), which is checked
 * afterwards by reading one back through the store.
 */
export async function seedBulk(uri: string, database: string, organizationId: string, count: number): Promise<string[]> {
  const stores = await createMongoStores({ uri, database, operationTimeoutMs: 120_000 });
  const client = new MongoClient(uri, { socketTimeoutMS: 120_000 });
  const collection = client.db(database).collection("scim_configurations");
  const ids: string[] = [];
  const now = new Date();
  for (let i = 0; i < count; i += 2000) {
    const docs = [];
    for (let j = i; j < Math.min(count, i + 2000); j++) {
      const { id, ...rest } = record(organizationId, now);
      ids.push(id);
      docs.push({ _id: id, ...rest });
    }
    await collection.insertMany(docs as never[], { ordered: false });
  }
  const probe = await stores.scimConfigurations.get(organizationId, ids[ids.length - 1]!);
  if (probe?.id !== ids[ids.length - 1]) throw new Error("bulk-loaded documents do not read back through the store");
  await client.close();
  await stores.close();
  return ids;
}
