import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { isUuid } from "./ids.js";

/**
 * Secret tokens (SCIM bearer tokens, management API keys) look like
 * `<prefix><40 base62 chars: 240 random bits><6 base62 chars: CRC32 of the rest>`.
 * The prefix tells secret scanners and people what leaked; the checksum lets the server refuse
 * typos and garbage without touching the database. Only the SHA-256 of the whole token is stored.
 */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_BYTES = 30;
const BODY_LENGTH = 40;
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32

export interface TokenKind {
  /** The fixed prefix, e.g. "scim_". */
  readonly prefix: string;
}

export const SCIM_TOKEN: TokenKind = { prefix: "scim_" };
export const API_KEY: TokenKind = { prefix: "scimadm_" };
/** A client secret of a SCIM configuration's OAuth client (exchanged at /oauth2/token). */
export const CLIENT_SECRET: TokenKind = { prefix: "scimcs_" };
/** An OAuth access token /oauth2/token issues; /scim/v2 takes it like a SCIM token (see generateAccessToken for its form). */
export const ACCESS_TOKEN: TokenKind = { prefix: "scimat_" };

/**
 * What a list shows to recognise a token: the kind's prefix and 4 characters of the random part
 * (for a SCIM token its first 9 characters). 4 base62 characters tell tokens apart at a glance
 * and leave 214 of the 238 random bits unknown.
 */
export function recognitionPrefix(kind: TokenKind, token: string): string {
  return token.slice(0, kind.prefix.length + 4);
}

/** Creates a fresh token of a kind. */
export function generateToken(kind: TokenKind): string {
  const head = kind.prefix + randomBody();
  return head + checksum(head);
}

/** The random part of every token. */
function randomBody(): string {
  // Rejection-free: take 240 random bits and write them as a fixed-width base62 number. 62^40 is
  // about 2^238.2, so the top 2 bits are dropped: 238 random bits remain, well above 160.
  return toBase62(BigInt("0x" + randomBytes(RANDOM_BYTES).toString("hex")), BODY_LENGTH);
}

/** Whether the text has the kind's prefix, alphabet, length and a matching checksum. */
export function isWellFormed(kind: TokenKind, token: string): boolean {
  if (token.length !== kind.prefix.length + BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!token.startsWith(kind.prefix)) return false;
  // One regex test, not a loop over ALPHABET.includes: verification runs on every SCIM call.
  if (!BASE62_BODY.test(token.slice(kind.prefix.length))) return false;
  return checksumMatches(token);
}

/** Whether the token's last characters are the checksum of the rest. */
function checksumMatches(token: string): boolean {
  // A plain comparison: the checksum is a CRC of the rest of the text the caller sent, so how
  // long the comparison takes tells nothing the caller does not already have.
  return token.endsWith(checksum(token.slice(0, token.length - CHECKSUM_LENGTH)));
}

/**
 * An OAuth access token names the SCIM configuration it was issued for:
 * `scimat_<configuration id>_<40 base62 chars: 240 random bits><6 base62 chars: CRC32 of the rest>`.
 * The id is the OAuth client_id, no secret. With it, verification reads the configuration by its
 * id (the primary key; the one lookup FerretDB serves from an index) and finds the token's hash
 * among that configuration's few live access tokens, instead of searching every configuration
 * by token hash.
 */
export function generateAccessToken(configurationId: string): string {
  // Ids are UUIDs (newId); should one not be, the token takes the earlier form, found by its hash.
  if (!isUuid(configurationId)) return generateToken(ACCESS_TOKEN);
  const head = `${ACCESS_TOKEN.prefix}${configurationId}_${randomBody()}`;
  return head + checksum(head);
}

const ACCESS_ID_END = ACCESS_TOKEN.prefix.length + 36;
const ACCESS_TOKEN_LENGTH = ACCESS_ID_END + 1 + BODY_LENGTH + CHECKSUM_LENGTH;

/**
 * The configuration id a well-formed access token of generateAccessToken's form names, else
 * undefined. Length, prefix, separator and checksum: the checksum refuses typos and garbage
 * without a lookup, and the id only selects a document by its primary key, which any string does
 * safely (a forged one finds nothing), so no pattern test of its characters is needed on this
 * per-request path.
 */
export function accessTokenConfigurationId(token: string): string | undefined {
  if (token.length !== ACCESS_TOKEN_LENGTH || !token.startsWith(ACCESS_TOKEN.prefix) || token.charCodeAt(ACCESS_ID_END) !== 95 /* "_" */) return undefined;
  return checksumMatches(token) ? token.slice(ACCESS_TOKEN.prefix.length, ACCESS_ID_END) : undefined;
}

/** The stored form of any secret: hex SHA-256. High-entropy secrets need no salt or slow hash. */
export function hashSecret(secret: string): string {
  // The one-shot hash (Node >= 20.12): a third of createHash's time for a short input (~0.2 µs
  // against ~0.6 µs measured), and no Hash object per call; every authenticated request hashes.
  return hash("sha256", secret, "hex");
}

const BASE62_BODY = new RegExp(`^[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

/** CRC32 of the head in base62; a CRC32 fits a double exactly, so no BigInt is needed here. */
function checksum(head: string): string {
  let n = crc32(head);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function toBase62(n: bigint, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}
