/**
 * Issue 13's rows: "authentication with several live tokens and the allowlist costs SCIM token
 * verification at most 10% in the existing token-verification bench (report it beside the
 * current figure); OAuth access token verification at least as fast as SCIM token verification".
 *
 * On FerretDB v1 (SQLite) two things decide what a lookup by hash costs, and neither holds on
 * MongoDB, where it is one index probe wherever the document is and whatever its size
 * (test/store/index-coverage.test.ts):
 * - Position: it reads the collection in insertion order until the first match (no index but
 *   _id), ~0.08 ms per document: a token of the 201st document cost ~30x one of the 1st.
 * - Size: it decodes every document it reads from JSON, per value: findOne({_id}) of a
 *   configuration with 4 rotated-out tokens and 20 CIDRs took 0.75 ms against 0.41 ms for a
 *   plain one (the 20 CIDRs alone +0.17 ms).
 * Comparing a token of one document with a token of another therefore measures FerretDB's
 * decoding (the earlier form of these rows: 0.49x and 0.60x, while the same comparison on the
 * memory store gave 0.79x and 0.93x). So each FerretDB row compares two things that read the
 * same document:
 * - "overlap": the token-verification row itself (ours against the bare findOne by hash, run.ts)
 *   on the oldest rotated-out token of a configuration with 5 live tokens and a 20-entry
 *   allowlist, beside the same row on a plain configuration's token: at most 10% below it;
 * - "oauth": ours, an access token of a configuration against that configuration's SCIM token.
 * The memory-store rows (seedThroughApi) compare the configurations directly: there a lookup is a
 * Map probe, so the ratio is the service's own work.
 */
import { newId } from "../src/domain/ids.js";
import type { PreviousScimToken } from "../src/domain/records.js";
import { CLIENT_SECRET, generateAccessToken, generateToken, hashSecret, recognitionPrefix, SCIM_TOKEN } from "../src/domain/secret-token.js";
import { createMongoStores } from "./adapters.js";
import { benchRecord, seedThroughStore } from "./seed.js";

const DAY_MS = 86_400_000;

/** Which configuration a database of these rows starts with. */
export type CredentialRowKind = "overlap" | "oauth";

/** The tokens one of these databases gives the row: the reference side's and the measured side's. */
export interface CredentialRowTokens {
  /** "overlap": the 1st configuration's token (its row's reference is the bare findOne); "oauth": the 2nd configuration's own SCIM token. */
  reference: string;
  /** The token the measured side presents, of the 2nd configuration. */
  presented: string;
}

/**
 * A database laid out like the main one (200 configurations written through the service's
 * store), whose 1st configuration is a plain one and whose 2nd is:
 * - "overlap": 5 live SCIM tokens and a 20-entry allowlist whose only entry that admits the load
 *   (127.0.0.0/8) is its last; the token presented is the oldest rotated-out one (the second
 *   branch of the lookup, the last match in the record);
 * - "oauth": a client secret and 5 live access tokens (the last one is presented) besides its
 *   SCIM token (the reference).
 */
export async function seedCredentialDatabase(uri: string, database: string, organizationId: string, kind: CredentialRowKind): Promise<CredentialRowTokens> {
  let reference = (await seedThroughStore(uri, database, organizationId, 1)).token;
  const stores = await createMongoStores({ uri, database, operationTimeoutMs: 30_000 });
  const now = new Date();
  let presented: string;
  if (kind === "overlap") {
    const tokens = Array.from({ length: 4 }, () => generateToken(SCIM_TOKEN));
    const previous: PreviousScimToken[] = tokens.map((token) => ({
      id: newId(now),
      hash: hashSecret(token),
      prefix: recognitionPrefix(SCIM_TOKEN, token),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 365 * DAY_MS),
      overlapEndsAt: new Date(now.getTime() + DAY_MS),
    }));
    const allowlist = [...Array.from({ length: 19 }, (_, i) => `10.${i}.0.0/16`), "127.0.0.0/8"];
    await stores.scimConfigurations.create({ ...benchRecord(organizationId, now), previousTokens: previous, ipAllowlist: allowlist });
    presented = tokens[0]!;
  } else {
    const secret = generateToken(CLIENT_SECRET);
    const secretId = newId(now);
    reference = generateToken(SCIM_TOKEN);
    const record = benchRecord(organizationId, now, reference);
    const accessTokens = Array.from({ length: 5 }, () => generateAccessToken(record.id));
    await stores.scimConfigurations.create({
      ...record,
      clientSecrets: [{ id: secretId, hash: hashSecret(secret), prefix: recognitionPrefix(CLIENT_SECRET, secret), createdAt: now, expiresAt: new Date(now.getTime() + 365 * DAY_MS) }],
      accessTokens: accessTokens.map((t) => ({ hash: hashSecret(t), secretId, expiresAt: new Date(now.getTime() + DAY_MS) })),
    });
    presented = accessTokens.at(-1)!;
  }
  await stores.close();
  await seedThroughStore(uri, database, organizationId, 198);
  return { reference, presented };
}

/** The tokens of the same rows on a server with the embedded memory store, seeded through its API. */
export interface ApiSeededTokens {
  /** A configuration with one token and no allowlist. */
  reference: string;
  /** The oldest of 5 live tokens of a configuration with a 20-entry allowlist. */
  overlapping: string;
  /** An access token of a configuration's OAuth client. */
  access: string;
}

/**
 * Seeds the rows' configurations through the service's own API (RPCs and /oauth2/token), as an
 * administrator and an identity provider would: for a server on the embedded memory store, whose
 * data lives in its process. There the lookup is a Map probe and copy, so the ratio is the cost
 * of the service's own work (verification, overlap and allowlist checks) without FerretDB's
 * per-document decoding (see above).
 */
export async function seedThroughApi(baseUrl: string, apiKey: string, organizationId: string): Promise<ApiSeededTokens> {
  const call = async (service: string, method: string, body: unknown): Promise<any> => {
    const res = await fetch(`${baseUrl}/${service}/${method}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const org = (method: string, body: unknown) => call("gitpod.v1.OrganizationService", method, body);
  const creds = (method: string, body: unknown) => call("scimservice.v1.SCIMCredentialService", method, body);
  const configuration = async () => {
    const sso = await org("CreateSSOConfiguration", { organizationId, clientId: `bench-${newId()}`, clientSecret: "s", issuerUrl: "https://idp.example.com" });
    return (await org("CreateSCIMConfiguration", { organizationId, ssoConfigurationId: sso.ssoConfiguration.id })) as { scimConfiguration: { id: string }; token: string };
  };
  const reference = (await configuration()).token;
  const overlap = await configuration();
  for (let i = 0; i < 4; i++) await creds("RotateSCIMToken", { scimConfigurationId: overlap.scimConfiguration.id, overlap: "86400s" });
  await creds("SetSCIMIPAllowlist", { scimConfigurationId: overlap.scimConfiguration.id, cidrs: [...Array.from({ length: 19 }, (_, i) => `10.${i}.0.0/16`), "127.0.0.0/8"] });
  const oauth = await configuration();
  const secret = await creds("CreateSCIMClientSecret", { scimConfigurationId: oauth.scimConfiguration.id });
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: secret.clientId, client_secret: secret.clientSecret });
  const issued = (await (await fetch(`${baseUrl}/oauth2/token`, { method: "POST", body: form })).json()) as { access_token: string };
  return { reference, overlapping: overlap.token, access: issued.access_token };
}
