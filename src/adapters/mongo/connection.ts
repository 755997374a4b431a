import { MongoClient, type MongoClientOptions } from "mongodb";
import { DEFAULT_AUDIT_RETENTION_DAYS } from "../../domain/audit/audit-retention.js";
import type { Stores } from "../../domain/ports.js";
import { MongoApiKeyStore } from "./api-keys.js";
import { ensureAuditTtl, MongoAuditStore, type AuditDoc } from "./audit-log.js";
import { guard } from "./errors.js";
import { ensureIndexes } from "./indexes.js";
import { MongoMemberStore } from "./members.js";
import { MongoMembershipStore } from "./memberships.js";
import { MongoScimConfigurationStore } from "./scim-configurations.js";
import { MongoScimGroupStore } from "./scim-groups.js";
import { MongoScimUserStore } from "./scim-users.js";
import { MongoSsoConfigurationStore } from "./sso-configurations.js";
import { withDeadline, withOperationDeadlines, type OperationObserver, type OperationObservers } from "./operation-deadline.js";

export interface MongoStoresOptions {
  /** Connection string, e.g. mongodb://127.0.0.1:27017. */
  uri: string;
  /** Database name. */
  database: string;
  /** Upper bound for any single store operation, server selection, check-out and retries included. */
  operationTimeoutMs: number;
  /** Days audit entries are kept (AUDIT_RETENTION_DAYS): the TTL index's lifetime; default 90. */
  auditRetentionDays?: number;
  /** Extra driver options (tests turn on command monitoring to check index coverage). */
  clientOptions?: MongoClientOptions;
}

/** The MongoDB-backed stores, plus the client they share (for tests that watch its commands). */
export interface MongoStores extends Stores {
  readonly client: MongoClient;
  /** Times every store operation from now on (the composition root feeds the metrics with it). */
  observeOperations(observer: OperationObserver): void;
}

/**
 * Connects, creates the missing indexes and returns the MongoDB-backed stores. Stays within what
 * MongoDB and FerretDB v1 both support: single-document atomic writes and unique indexes, no
 * transactions, no aggregation pipelines in updates.
 */
export async function createMongoStores(options: MongoStoresOptions): Promise<MongoStores> {
  const client = new MongoClient(options.uri, {
    serverSelectionTimeoutMS: options.operationTimeoutMs,
    connectTimeoutMS: options.operationTimeoutMs,
    // A reply slower than this ends the operation (and its connection) instead of hanging.
    socketTimeoutMS: options.operationTimeoutMs,
    // No waitQueueTimeoutMS: withOperationDeadlines below bounds each operation as a whole,
    // waiting for a pooled connection included, and the driver's own wait bound armed a timer
    // and a Timeout object for every checkout (~1.1 KB allocated per operation, measured under
    // the bench's Get load). A waiter it abandons leaves the queue once a connection frees up,
    // and socketTimeoutMS frees the connections of a database that hangs.
    // The driver's default (10 s) also paces how soon it notices a restarted server: in about
    // 1 of 5 runs of test/reliability/database-fault.test.ts it had not noticed within 10 s. At
    // 1 s (one small hello per second) it recovered within 0.6 s in 16 of 16 runs.
    heartbeatFrequencyMS: 1000,
    appName: "scim-config-service",
    ...options.clientOptions,
  });
  await guard(() => client.connect());
  const db = client.db(options.database);
  await guard(() => ensureIndexes(db));
  const observers: OperationObservers = {};
  const bounded = <T extends object>(store: T, name: string) => withOperationDeadlines(store, options.operationTimeoutMs, name, observers);
  const auditLog = db.collection<AuditDoc>("audit_log");
  const auditTtl = await guard(() => ensureAuditTtl(auditLog, options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS));
  return {
    kind: "mongodb",
    client,
    scimConfigurations: bounded(new MongoScimConfigurationStore(db.collection("scim_configurations"), db), "scimConfigurations"),
    ssoConfigurations: bounded(new MongoSsoConfigurationStore(db.collection("sso_configurations"), db), "ssoConfigurations"),
    apiKeys: bounded(new MongoApiKeyStore(db.collection("api_keys"), db), "apiKeys"),
    scimUsers: bounded(new MongoScimUserStore(db.collection("scim_users"), db), "scimUsers"),
    scimGroups: bounded(new MongoScimGroupStore(db.collection("scim_groups"), db), "scimGroups"),
    memberships: bounded(new MongoMembershipStore(db.collection("scim_memberships")), "memberships"),
    members: bounded(new MongoMemberStore(db.collection("members"), db), "members"),
    audit: bounded(new MongoAuditStore(auditLog, db), "audit"),
    auditTtl,
    observeOperations: (observer) => {
      observers.observer = observer;
    },
    ping: async () => {
      try {
        await withDeadline(db.command({ ping: 1 }), options.operationTimeoutMs);
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
