import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { startApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { Clock } from "../../src/domain/clock.js";
import { createLogger, type Logger } from "../../src/logging/logger.js";
import { createMemoryStores } from "../../src/adapters/memory/index.js";
import { createMongoStores } from "../../src/adapters/mongo/connection.js";
import type { Stores } from "../../src/domain/ports.js";
import type { AuditContext } from "../../src/domain/audit/audit-entry.js";

/** Who tests act as when they create keys directly (not through an API): recorded like the admin CLI. */
export const TEST_AUDIT: AuditContext = { actor: { kind: "cli", id: "cli" }, requestId: "test-setup", clientAddress: "" };

export type StoreKind = "memory" | "mongodb";
export const STORE_KINDS: StoreKind[] = ["memory", "mongodb"];

/** Stores of the given kind; MongoDB ones live in a database of their own, named uniquely. */
export async function openTestStores(kind: StoreKind, operationTimeoutMs = 5000): Promise<Stores> {
  if (kind === "memory") return createMemoryStores();
  return createMongoStores({ uri: inject("mongoUri"), database: `t_${randomUUID().replaceAll("-", "")}`, operationTimeoutMs });
}

export interface TestServer {
  app: App;
  baseUrl: string;
  organizationId: string;
  /** Admin key of organizationId. */
  adminKey: string;
  /** Issues another key (any organization, any role). */
  key(role: "admin" | "member", organizationId?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real service on 127.0.0.1 and a free port, with one admin key ready. */
export async function startTestServer(
  options: { store?: StoreKind; stores?: Stores; clock?: Clock; env?: Record<string, string>; consoleDir?: string; logger?: Logger } = {},
): Promise<TestServer> {
  const stores = options.stores ?? (await openTestStores(options.store ?? "memory"));
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", SHUTDOWN_GRACE_MS: "2000", ...options.env });
  const app = await startApp({
    config,
    stores,
    logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
  });
  const organizationId = randomUUID();
  const key = async (role: "admin" | "member", org = organizationId) => (await app.apiKeys.issue(org, role, `test ${role}`, TEST_AUDIT)).key;
  const adminKey = await key("admin");
  return {
    app,
    baseUrl: `http://127.0.0.1:${app.listener.address.port}`,
    organizationId,
    adminKey,
    key,
    close: () => app.close(500),
  };
}
