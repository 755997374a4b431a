import { randomUUID } from "node:crypto";
import { newId } from "../src/domain/ids.js";
import { generateToken, hashSecret, recognitionPrefix, SCIM_TOKEN } from "../src/domain/secret-token.js";
import { createMongoStores, type ScimConfigurationRecord } from "./adapters.js";

const YEAR_S = 365 * 86_400;

/**
 * A SCIM configuration of the organization as the service would create it, valid for a year,
 * with every field the service writes: without a stored token id, each verification would derive
 * one (a second SHA-256 per call), which only documents older than token ids make it do.
 */
export function benchRecord(organizationId: string, now: Date, token = generateToken(SCIM_TOKEN)): ScimConfigurationRecord {
  return {
    id: newId(now),
    organizationId,
    name: "bench",
    enabled: true,
    ssoConfigurationId: randomUUID(),
    allowUnverifiedEmailAccountLinking: false,
    createdAt: now,
    updatedAt: now,
    tokenHash: hashSecret(token),
    tokenId: newId(now),
    tokenPrefix: recognitionPrefix(SCIM_TOKEN, token),
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
    const r = benchRecord(organizationId, new Date(), i === 0 ? token : undefined);
    await stores.scimConfigurations.create(r);
    ids.push(r.id);
  }
  await stores.close();
  return { ids, token };
}
