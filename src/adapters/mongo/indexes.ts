import { MongoServerError, type Db, type IndexDescription } from "mongodb";

/** Index names, referenced when telling which unique index refused a write. */
export const INDEX = {
  scimTokenHash: "token_hash_unique",
  scimSsoLink: "sso_link_unique",
  scimPage: "organization_page",
  ssoPage: "organization_page",
  apiKeyHash: "key_hash_unique",
  apiKeyOrganization: "organization_page",
  auditPage: "organization_page",
  auditActorPage: "organization_actor_page",
  auditSubjectPage: "organization_subject_page",
  auditSubjectTypePage: "organization_subject_type_page",
} as const;

/**
 * Every index the adapters rely on, by collection. Each query an adapter sends must be served by
 * one of these (equality fields first, then the sort, then a range, as MongoDB's planner needs);
 * test/store/index-coverage.test.ts checks every query the contract suite makes against this list.
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  scim_configurations: [
    { key: { tokenHash: 1 }, name: INDEX.scimTokenHash, unique: true },
    { key: { organizationId: 1, ssoConfigurationId: 1 }, name: INDEX.scimSsoLink, unique: true },
    { key: { organizationId: 1, _id: 1 }, name: INDEX.scimPage },
  ],
  sso_configurations: [{ key: { organizationId: 1, _id: 1 }, name: INDEX.ssoPage }],
  api_keys: [
    { key: { keyHash: 1 }, name: INDEX.apiKeyHash, unique: true },
    { key: { organizationId: 1, _id: 1 }, name: INDEX.apiKeyOrganization },
  ],
  // The audit trail's lists: by organization, narrowed by one filter field, in _id (time) order.
  // Its TTL index on createdAt is made apart (ensureAuditTtl), as its options follow a setting.
  audit_log: [
    { key: { organizationId: 1, _id: 1 }, name: INDEX.auditPage },
    { key: { organizationId: 1, actorId: 1, _id: 1 }, name: INDEX.auditActorPage },
    { key: { organizationId: 1, subjectId: 1, _id: 1 }, name: INDEX.auditSubjectPage },
    { key: { organizationId: 1, subjectType: 1, _id: 1 }, name: INDEX.auditSubjectTypePage },
  ],
};

/**
 * Creates the indexes that are missing, by name. Asking only for missing ones (rather than
 * re-sending createIndexes, a no-op on MongoDB) also sidesteps FerretDB v1.24, whose handler
 * panics on a createIndexes for indexes that already exist.
 */
export async function ensureIndexes(db: Db, catalogue: Record<string, IndexDescription[]> = INDEXES): Promise<void> {
  for (const [collection, wanted] of Object.entries(catalogue)) {
    const c = db.collection(collection);
    const existing = new Set(
      await c
        .listIndexes()
        .toArray()
        .then((list) => list.map((i) => String(i.name)))
        .catch((err: unknown) => {
          if (err instanceof MongoServerError && (err.code === 26 || err.codeName === "NamespaceNotFound")) return [];
          throw err;
        }),
    );
    const missing = wanted.filter((i) => !existing.has(i.name!));
    if (missing.length > 0) await c.createIndexes(missing);
  }
}
