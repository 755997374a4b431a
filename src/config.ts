import { existsSync } from "node:fs";
import { isUuid } from "./domain/ids.js";
import { MIN_OPERATOR_KEY_LENGTH } from "./domain/api-keys.js";
import { readOperationsSettings, type OperationsSettings } from "./operations-config.js";
import { normalizeCidr } from "./domain/credentials/ip-allowlist.js";
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, MAX_ACCESS_TOKEN_LIFETIME_SECONDS, MIN_ACCESS_TOKEN_LIFETIME_SECONDS } from "./domain/credentials/oauth-clients.js";

/** Everything the service reads from its environment, validated once at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Unset: the in-memory store (embedded mode). */
  mongodbUri: string | undefined;
  mongodbDatabase: string;
  /** Upper bound for one database operation, server selection included. */
  dbTimeoutMs: number;
  tls: { certFile: string; keyFile: string } | undefined;
  corsOrigins: string[];
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Bootstrap admin key (Unleash's INIT_ADMIN_API_TOKENS idea), with its organization. */
  initAdmin: { organizationId: string; apiKey: string } | undefined;
  /** How long a SIGTERM waits for in-flight calls before cutting them. */
  shutdownGraceMs: number;
  /** How long a found API key is served from memory; the bound for a revoke made elsewhere. */
  apiKeyCacheTtlMs: number;
  /** Failed authentications one client address may make per minute before it is refused (0: no limit). */
  authFailuresPerMinute: number;
  /** Time a client gets to send a request's headers (and a new connection its first bytes). */
  httpHeadersTimeoutMs: number;
  /** Idle keep-alive connections and HTTP/2 sessions are closed after this long. */
  httpIdleTimeoutMs: number;
  /** Where clients reach this service (scheme, host, optional path prefix); links in SCIM answers are built from it. Unset: from each request. */
  publicBaseUrl: string | undefined;
  /** Sustained /scim/v2 requests per second one SCIM configuration may make (0: no limit). */
  scimRatePerSecond: number;
  /** Requests above the sustained rate one SCIM configuration may make at once. */
  scimRateBurst: number;
  /**
   * Origins other than its own that the admin console may send the API key to (typed in by
   * hand at sign-in); the console page's CSP connect-src is 'self' plus exactly these.
   */
  consoleApiOrigins: string[];
  /** Bounds on what clients (with or without a key) may hold: bodies, streams, connections, lookups. */
  resourceLimits: ResourceLimits;
  /** Days audit entries are kept before they expire. */
  auditRetentionDays: number;
  /** Running as a fleet: who reads /metrics, how many replicas share the SCIM rate limit. */
  operations: OperationsSettings;
  /** Credentials: trusted proxies and OAuth access tokens (issue 13). */
  credentials: CredentialSettings;
}

/** Settings of the credentials the identity providers present (issue 13). */
export interface CredentialSettings {
  /**
   * CIDRs of the load balancers in front of the service: only when the TCP peer is one of them
   * is X-Forwarded-For read for the client's address (src/http/client-address.ts). Empty: never.
   */
  trustedProxies: string[];
  /** Lifetime of the access tokens POST /oauth2/token issues, in seconds. */
  oauthAccessTokenLifetimeSeconds: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Reads and validates the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };

  const port = int("PORT", 8080, 0, 65535);
  const dbTimeoutMs = int("DB_TIMEOUT_MS", 5000, 100, 120_000);
  const shutdownGraceMs = int("SHUTDOWN_GRACE_MS", 10_000, 0, 300_000);
  const apiKeyCacheTtlMs = int("API_KEY_CACHE_TTL_MS", 5000, 0, 60_000);
  const authFailuresPerMinute = int("AUTH_FAILURES_PER_MINUTE", 30, 0, 100_000);
  const httpHeadersTimeoutMs = int("HTTP_HEADERS_TIMEOUT_MS", 10_000, 100, 120_000);
  const httpIdleTimeoutMs = int("HTTP_IDLE_TIMEOUT_MS", 60_000, 100, 600_000);
  const scimRatePerSecond = int("SCIM_RATE_PER_SECOND", 50, 0, 100_000);
  const scimRateBurst = int("SCIM_RATE_BURST", 100, 1, 1_000_000);
  const auditRetentionDays = int("AUDIT_RETENTION_DAYS", 90, 1, 3650);

  let publicBaseUrl: string | undefined;
  if (env.PUBLIC_BASE_URL) {
    let url: URL | undefined;
    try {
      url = new URL(env.PUBLIC_BASE_URL);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
      problems.push(`PUBLIC_BASE_URL must be an absolute http(s) URL without query, fragment or credentials, like https://scim.example.com (got "${env.PUBLIC_BASE_URL}")`);
    } else {
      publicBaseUrl = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    }
  }

  const mongodbUri = env.MONGODB_URI === "" ? undefined : env.MONGODB_URI;
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    problems.push("MONGODB_URI must start with mongodb:// or mongodb+srv://");
  }
  const mongodbDatabase = env.MONGODB_DB || "scim_config_service";
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(mongodbDatabase)) problems.push("MONGODB_DB must be 1-63 letters, digits, _ or -");

  let tls: Config["tls"];
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push("TLS_CERT_FILE and TLS_KEY_FILE must be set together");
  } else if (certFile !== undefined && keyFile !== undefined) {
    if (!existsSync(certFile)) problems.push(`TLS_CERT_FILE does not exist: ${certFile}`);
    if (!existsSync(keyFile)) problems.push(`TLS_KEY_FILE does not exist: ${keyFile}`);
    tls = { certFile, keyFile };
  }

  const corsOrigins = (env.CORS_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const origin of corsOrigins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`CORS_ORIGINS entries must be origins like https://admin.example.com (got "${origin}")`);
    }
  }

  const consoleApiOrigins = (env.CONSOLE_API_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const origin of consoleApiOrigins) {
    if (!isOrigin(origin)) problems.push(`CONSOLE_API_ORIGINS entries must be origins like https://scim.example.com, without a path (got "${origin}")`);
  }

  const logLevel = (env.LOG_LEVEL || "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  let initAdmin: Config["initAdmin"];
  const initOrg = env.INIT_ORGANIZATION_ID || undefined;
  const initKey = env.INIT_ADMIN_API_KEY || undefined;
  if ((initOrg === undefined) !== (initKey === undefined)) {
    problems.push("INIT_ORGANIZATION_ID and INIT_ADMIN_API_KEY must be set together");
  } else if (initOrg !== undefined && initKey !== undefined) {
    if (!isUuid(initOrg)) problems.push("INIT_ORGANIZATION_ID must be a UUID");
    if (initKey.length < MIN_OPERATOR_KEY_LENGTH || initKey.length > 512) {
      problems.push(`INIT_ADMIN_API_KEY must be ${MIN_OPERATOR_KEY_LENGTH} to 512 characters`);
    }
    if (/\s/.test(initKey)) problems.push("INIT_ADMIN_API_KEY must not contain white space");
    if (initKey.startsWith("scim_")) problems.push('INIT_ADMIN_API_KEY must not start with "scim_", the SCIM token prefix');
    initAdmin = { organizationId: initOrg.toLowerCase(), apiKey: initKey };
  }

  const resourceLimits = readResourceLimits(int);
  const operations = readOperationsSettings(env, int, problems, scimRateBurst);
  const credentials = readCredentialSettings(env, int, problems);

  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return {
    port,
    host: env.HOST || "0.0.0.0",
    mongodbUri,
    mongodbDatabase,
    dbTimeoutMs,
    tls,
    corsOrigins,
    logLevel,
    initAdmin,
    shutdownGraceMs,
    apiKeyCacheTtlMs,
    authFailuresPerMinute,
    httpHeadersTimeoutMs,
    httpIdleTimeoutMs,
    publicBaseUrl,
    scimRatePerSecond,
    scimRateBurst,
    consoleApiOrigins: consoleApiOrigins.map((o) => o.toLowerCase()),
    resourceLimits,
    auditRetentionDays,
    operations,
    credentials,
  };
}

function readCredentialSettings(env: NodeJS.ProcessEnv, int: ReadInt, problems: string[]): CredentialSettings {
  const trustedProxies: string[] = [];
  for (const entry of (env.TRUSTED_PROXIES ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    try {
      trustedProxies.push(normalizeCidr(entry, (rule) => new ConfigError(`TRUSTED_PROXIES entry "${entry}" ${rule}`)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return {
    trustedProxies,
    oauthAccessTokenLifetimeSeconds: int("OAUTH_ACCESS_TOKEN_LIFETIME_SECONDS", DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS, MIN_ACCESS_TOKEN_LIFETIME_SECONDS, MAX_ACCESS_TOKEN_LIFETIME_SECONDS),
  };
}

/**
 * Bounds on the resources a client can hold, with or without a key (issue 10): request bodies
 * that stall, bodies in flight, HTTP/2 streams, connections, health Watch streams, and the
 * database lookups a blocked address may still cause.
 */
export interface ResourceLimits {
  /** A request body that makes no progress for this long is cut (408 on HTTP/1.1, RST_STREAM on HTTP/2). */
  httpBodyTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this long, however it trickles. */
  httpRequestTimeoutMs: number;
  /** Bytes of request bodies the process holds at once; a body that would pass it is refused (503 / REFUSED_STREAM). */
  maxInflightBodyBytes: number;
  /** Concurrent streams one HTTP/2 connection may open (SETTINGS_MAX_CONCURRENT_STREAMS). */
  http2MaxConcurrentStreams: number;
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: number;
  /** How often the one shared health state asks the database while someone watches it. */
  healthWatchIntervalMs: number;
  /** Concurrent grpc.health.v1 Watch streams; more are refused with resource_exhausted. */
  healthWatchMaxStreams: number;
  /** While an address is blocked, lookups per minute it may still cause for credentials not known good here. */
  authBlockedLookupsPerMinute: number;
}

type ReadInt = (name: string, fallback: number, min: number, max: number) => number;

function readResourceLimits(int: ReadInt): ResourceLimits {
  const MIB = 1024 * 1024;
  return {
    httpBodyTimeoutMs: int("HTTP_BODY_TIMEOUT_MS", 30_000, 100, 600_000),
    httpRequestTimeoutMs: int("HTTP_REQUEST_TIMEOUT_MS", 60_000, 100, 3_600_000),
    // At least one request of the largest size the service takes (1 MiB) must fit.
    maxInflightBodyBytes: int("MAX_INFLIGHT_BODY_BYTES", 64 * MIB, MIB, 16 * 1024 * MIB),
    http2MaxConcurrentStreams: int("HTTP2_MAX_CONCURRENT_STREAMS", 100, 1, 10_000),
    maxConnections: int("MAX_CONNECTIONS", 1000, 1, 1_000_000),
    healthWatchIntervalMs: int("HEALTH_WATCH_INTERVAL_MS", 5000, 100, 600_000),
    healthWatchMaxStreams: int("HEALTH_WATCH_MAX_STREAMS", 100, 1, 100_000),
    authBlockedLookupsPerMinute: int("AUTH_BLOCKED_LOOKUPS_PER_MINUTE", 60, 0, 60_000),
  };
}

/** An http(s) origin exactly as a browser writes it: scheme, host and an optional port, nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value.toLowerCase().replace(/\/$/, "") && !value.endsWith("/");
  } catch {
    return false;
  }
}
