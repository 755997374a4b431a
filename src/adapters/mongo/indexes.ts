import { MEMBER_LIST_INDEXES } from "./member-list-query.js";
import { MongoServerError, type Db, type IndexDescription } from "mongodb";

/** Index names, referenced when telling which unique index refused a write. */
export const INDEX = {
  scimTokenHash: "token_hash_unique",
  scimSsoLink: "sso_link_unique",
  scimPage: "organization_page",
  ssoPage: "organization_page",
  apiKeyHash: "key_hash_unique",
  apiKeyOrganization: "organization_page",
  scimUserName: "scim_user_name_unique",
  scimGroupName: "scim_group_name_unique",
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
    // Rotated-out tokens and OAuth access tokens, looked up by hash through arrays of documents
    // (multikey). Not unique: a unique index would refuse the many documents that have none.
    { key: { "previousTokens.hash": 1 }, name: "previous_token_hash" },
    { key: { "accessTokens.hash": 1 }, name: "access_token_hash" },
    { key: { organizationId: 1, ssoConfigurationId: 1 }, name: INDEX.scimSsoLink, unique: true },
    { key: { organizationId: 1, _id: 1 }, name: INDEX.scimPage },
  ],
  sso_configurations: [{ key: { organizationId: 1, _id: 1 }, name: INDEX.ssoPage }],
  api_keys: [
    { key: { keyHash: 1 }, name: INDEX.apiKeyHash, unique: true },
    { key: { organizationId: 1, _id: 1 }, name: INDEX.apiKeyOrganization },
  ],
  // SCIM resources: ids in creation order per configuration (unfiltered lists, cursor walks), the
  // unique key, and the attributes identity providers look resources up by (an equality, then
  // _id for the creation order and the keyset). `id eq` goes to _id itself.
  scim_users: [
    { key: { scimConfigurationId: 1, userNameKey: 1 }, name: INDEX.scimUserName, unique: true },
    { key: { scimConfigurationId: 1, _id: 1 }, name: "configuration_page" },
    { key: { scimConfigurationId: 1, "s.userName": 1, _id: 1 }, name: "user_name_lookup" },
    { key: { scimConfigurationId: 1, "s.externalId": 1, _id: 1 }, name: "external_id_lookup" },
    { key: { scimConfigurationId: 1, "s.emails.value": 1, _id: 1 }, name: "email_lookup" },
    { key: { memberId: 1, _id: 1 }, name: "member_identities" },
  ],
  scim_groups: [
    { key: { scimConfigurationId: 1, displayNameKey: 1 }, name: INDEX.scimGroupName, unique: true },
    { key: { scimConfigurationId: 1, _id: 1 }, name: "configuration_page" },
    { key: { scimConfigurationId: 1, "s.displayName": 1, _id: 1 }, name: "display_name_lookup" },
    { key: { scimConfigurationId: 1, "s.externalId": 1, _id: 1 }, name: "external_id_lookup" },
    // The management API's view: an organization's groups across its configurations.
    { key: { organizationId: 1, _id: 1 }, name: "organization_page" },
    { key: { organizationId: 1, displayNameKey: 1, _id: 1 }, name: "organization_name_lookup" },
  ],
  // One document per (group, user); seq is the order members were added in.
  scim_memberships: [
    { key: { scimConfigurationId: 1, groupId: 1, seq: 1, _id: 1 }, name: "group_members" },
    { key: { scimConfigurationId: 1, userId: 1, seq: 1, _id: 1 }, name: "user_groups" },
    { key: { scimConfigurationId: 1, groupId: 1, userId: 1 }, name: "group_members_by_id" },
  ],
  // Members: ListMembers' orders (MEMBER_LIST_INDEXES), the email and former-identity lookups.
  members: [
    ...MEMBER_LIST_INDEXES,
    { key: { organizationId: 1, emailKey: 1, _id: 1 }, name: "email_lookup" },
    { key: { organizationId: 1, formerKeys: 1 }, name: "former_identity_lookup" },
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
