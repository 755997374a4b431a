import type { MongoStores } from "./adapters/mongo/connection.js";
import { CredentialCheck } from "./auth/credential-check.js";
import { AuthFailureLimiter } from "./auth/failure-limiter.js";
import { bootstrapKeys, type ShownOnce } from "./bootstrap.js";
import type { Config } from "./config.js";
import { ApiKeys } from "./domain/api-keys.js";
import { AuditRetention } from "./domain/audit/audit-retention.js";
import { AuditTrail } from "./domain/audit/audit-trail.js";
import { systemClock, type Clock } from "./domain/clock.js";
import type { Stores } from "./domain/ports.js";
import { MemberAccounts } from "./domain/provisioning/member-accounts.js";
import { OrganizationDirectory } from "./domain/provisioning/organization-directory.js";
import { ScimGroups } from "./domain/provisioning/scim-groups.js";
import { ScimUsers } from "./domain/provisioning/scim-users.js";
import { CredentialUsage } from "./domain/credentials/credential-usage.js";
import { OAuthClients } from "./domain/credentials/oauth-clients.js";
import { ScimCredentials } from "./domain/credentials/scim-credentials.js";
import { ScimConfigurations } from "./domain/scim-configurations.js";
import { ScimTokenVerifier } from "./domain/scim-token-verifier.js";
import { SsoConfigurations } from "./domain/sso-configurations.js";
import { createClientAddressResolver, requestContextValues } from "./http/client-address.js";
import { HttpRouter } from "./http/http-router.js";
import { requestInfoOf, requestLogger } from "./http/request-info.js";
import type { Logger } from "./logging/logger.js";
import { monitorDatabase } from "./observability/database-metrics.js";
import { MetricsAccess } from "./observability/metrics-access.js";
import { ServiceMetrics } from "./observability/metrics.js";
import { createRequestRecorder } from "./observability/request-metrics.js";
import { scimRateShare } from "./operations-config.js";
import { createConsoleHandler, defaultConsoleDir, mayBeConsolePath } from "./routes/console-files.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMetricsRoute } from "./routes/metrics-route.js";
import { registerOAuthTokenRoute } from "./routes/oauth-token.js";
import { ConfigurationLimiter } from "./routes/scim/configuration-limiter.js";
import { registerScimRoutes } from "./routes/scim/scim-routes.js";
import { registerUnleashRoutes } from "./routes/unleash-scim-settings.js";
import { createRpcAdmission } from "./rpc/admission.js";
import { AuditDetailServiceHandler } from "./rpc/audit-detail-service.js";
import { EventServiceHandler } from "./rpc/event-service.js";
import { GroupServiceHandler } from "./rpc/group-service.js";
import { createCallInterceptor } from "./rpc/call-interceptor.js";
import { readJsonRequest } from "./rpc/json-request-check.js";
import { OPEN_SERVICES, registerOperationalServices } from "./rpc/operational-services.js";
import { OrganizationServiceHandler } from "./rpc/organization-service.js";
import { ScimCredentialServiceHandler } from "./rpc/scim-credential-service.js";
import { API_SERVICES, registerServices } from "./rpc/register-services.js";
import { createNodeHandler } from "./transport/connect-handler.js";
import { withAccessLog } from "./transport/access-log.js";
import { withCors } from "./transport/cors.js";
import { createFallback } from "./transport/fallback.js";
import { startListener, type Listener } from "./transport/listener.js";
import { serviceVersion } from "./version.js";

/** Wire limits: nothing near the adapter defaults (about 4 GiB and no timeout). */
export const READ_MAX_BYTES = 1024 * 1024;
export const WRITE_MAX_BYTES = 4 * 1024 * 1024;
export const MAX_TIMEOUT_MS = 30_000;
/** How often expired audit entries are swept (besides at start-up); MongoDB's TTL monitor runs every minute. */
export const AUDIT_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** How often credential uses whose minute has passed are written (credential-usage.ts). */
export const USAGE_FLUSH_INTERVAL_MS = 5000;

export interface AppOptions {
  config: Config;
  stores: Stores;
  logger: Logger;
  /** Defaults to the system clock; tests pass a manual one. */
  clock?: Clock;
  /** The built admin console served at /console/; defaults to dist/console. */
  consoleDir?: string;
}

export interface App {
  readonly listener: Listener;
  readonly stores: Stores;
  readonly apiKeys: ApiKeys;
  readonly scimConfigurations: ScimConfigurations;
  readonly scimTokens: ScimTokenVerifier;
  /** Several live SCIM tokens, the IP allowlist, OAuth client secrets. */
  readonly scimCredentials: ScimCredentials;
  readonly oauthClients: OAuthClients;
  /** Last use of SCIM tokens and client secrets, coalesced in memory. */
  readonly credentialUsage: CredentialUsage;
  /** The audit trail every change is recorded in. */
  readonly auditTrail: AuditTrail;
  /** Counts failed authentications per client address; shared by every authenticated route. */
  readonly authFailures: AuthFailureLimiter;
  /** What /metrics shows. */
  readonly metrics: ServiceMetrics;
  readonly clock: Clock;
  /** Set when embedded mode created a development key that must be printed once. */
  readonly developmentKey: ShownOnce | undefined;
  /** True when the database holds no management API key: start-up prints how to create one. */
  readonly noKeys: boolean;
  /** Graceful: refuse new calls, finish in-flight ones within the grace period, close the store. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The composition root: builds the use cases on the given stores, the one credential check, the
 * routes and RPC services on top of them, and the transport that serves them all on one port.
 */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, stores, logger } = options;
  const clock = options.clock ?? systemClock;
  const auditTrail = new AuditTrail({
    store: stores.audit,
    clock,
    // The change happened and stays; this line is then its only record (no secret: entries hold ids).
    onLost: (entry, err) => logger.error({ reqId: entry.requestId, err, lostAuditEntry: entry }, "an audit entry could not be stored after its change"),
  });
  const apiKeys = new ApiKeys(stores.apiKeys, clock, auditTrail, { cacheTtlMs: config.apiKeyCacheTtlMs });
  const scimTokens = new ScimTokenVerifier(stores.scimConfigurations, clock);
  const metrics = new ServiceMetrics({ version: serviceVersion() });
  // Every store operation on MongoDB is timed; the driver's command monitoring (when the client
  // has it on: DB_COMMAND_METRICS=on) adds the per-command metrics.
  const mongo = stores as Partial<MongoStores>;
  mongo.observeOperations?.((operation, seconds, outcome) => metrics.databaseOperation(operation, seconds, outcome));
  const stopDatabaseMetrics = mongo.client ? monitorDatabase(mongo.client, metrics) : () => undefined;
  const authFailures = new AuthFailureLimiter({
    failuresPerMinute: config.authFailuresPerMinute,
    blockedLookupsPerMinute: config.resourceLimits.authBlockedLookupsPerMinute,
    onBlocked: () => metrics.rateLimited("auth_failures"),
  });
  const oauthClients = new OAuthClients({ store: stores.scimConfigurations, clock, audit: auditTrail, accessTokenLifetimeSeconds: config.credentials.oauthAccessTokenLifetimeSeconds });
  const scimCredentials = new ScimCredentials({ store: stores.scimConfigurations, clock, audit: auditTrail });
  const credentialUsage = new CredentialUsage({
    store: stores.scimConfigurations,
    clock,
    onError: (err) => logger.warn({ err }, "recording the last use of a credential failed; it is informative only"),
  });
  const credentials = new CredentialCheck({ apiKeys, scimTokens, limiter: authFailures, oauthClients, usage: credentialUsage });
  const scimConfigurations = new ScimConfigurations(stores.scimConfigurations, stores.ssoConfigurations, clock, auditTrail, oauthClients);
  const ssoConfigurations = new SsoConfigurations(stores.ssoConfigurations, stores.scimConfigurations, clock, auditTrail);
  const { developmentKey, noKeys } = await bootstrapKeys(config, stores, apiKeys, logger);

  const router = new HttpRouter();
  registerHealthRoutes(router, stores);
  registerMetricsRoute(router, {
    metrics,
    access: new MetricsAccess({ allow: config.operations.metricsAllow, token: config.operations.metricsToken }),
    limiter: authFailures,
    logger,
  });
  registerUnleashRoutes(router, { credentials, scim: scimConfigurations, clock, logger });
  registerOAuthTokenRoute(router, { credentials, oauthClients, audit: auditTrail, logger });
  const accounts = new MemberAccounts(stores.members, stores.scimUsers, clock);
  const provisioning = { users: stores.scimUsers, groups: stores.scimGroups, memberships: stores.memberships, clock, audit: auditTrail };
  registerScimRoutes(router, {
    credentials,
    // Each replica's share (SCIM_RATE_REPLICAS), so that the replicas together allow the configured rate.
    limiter: new ConfigurationLimiter({ ...scimRateShare(config), onLimited: () => metrics.rateLimited("scim_configuration") }),
    users: new ScimUsers({ ...provisioning, accounts }),
    groups: new ScimGroups(provisioning),
    publicBaseUrl: config.publicBaseUrl,
    audit: auditTrail,
    logger,
  });
  const directory = new OrganizationDirectory({
    members: stores.members,
    users: stores.scimUsers,
    groups: stores.scimGroups,
    memberships: stores.memberships,
    scimConfigurations: stores.scimConfigurations,
  });

  const consoleFiles = createConsoleHandler(options.consoleDir ?? defaultConsoleDir(), { apiOrigins: config.consoleApiOrigins });
  const routes = createFallback(router, logger);
  const handler = createNodeHandler({
    routes: (r) => {
      registerServices(r, new OrganizationServiceHandler(scimConfigurations, ssoConfigurations, directory), {
        groups: new GroupServiceHandler(directory),
        events: new EventServiceHandler(auditTrail),
        auditDetails: new AuditDetailServiceHandler(auditTrail),
      }, new ScimCredentialServiceHandler(scimCredentials, oauthClients));
      registerOperationalServices(r, stores, API_SERVICES, {
        watchIntervalMs: config.resourceLimits.healthWatchIntervalMs,
        maxWatchStreams: config.resourceLimits.healthWatchMaxStreams,
      });
    },
    interceptors: [createCallInterceptor(logger, OPEN_SERVICES)],
    contextValues: requestContextValues,
    admit: createRpcAdmission(credentials, OPEN_SERVICES),
    checkJsonRequest: readJsonRequest,
    fallback: (req, res) => {
      // Not a console path: straight to the routes, without a promise round first.
      if (!mayBeConsolePath(req.url)) return routes(req, res);
      consoleFiles(req, res).then(
        (handled) => handled || routes(req, res),
        (err: unknown) => {
          requestLogger(requestInfoOf(req), logger).error({ err }, "serving a console file failed");
          if (!res.headersSent) res.writeHead(500);
          res.end();
        },
      );
    },
    readMaxBytes: READ_MAX_BYTES,
    writeMaxBytes: WRITE_MAX_BYTES,
    maxTimeoutMs: MAX_TIMEOUT_MS,
    logger,
  });

  const usageFlushes = setInterval(() => void credentialUsage.flush(), USAGE_FLUSH_INTERVAL_MS);
  usageFlushes.unref();
  const stopSweeps = startAuditSweeps(new AuditRetention({ store: stores.audit, clock, retentionDays: config.auditRetentionDays }), logger);
  // Worth a line only where it differs from what an operator expects of MongoDB (FerretDB has no TTL indexes).
  const noTtl = stores.kind === "mongodb" && !stores.auditTtl;
  logger[noTtl ? "info" : "debug"](
    { retentionDays: config.auditRetentionDays, ttlIndex: stores.auditTtl },
    stores.auditTtl ? "audit entries expire by a TTL index and hourly sweeps" : "audit entries expire by hourly sweeps (this database has no TTL indexes)",
  );

  const listener = await startListener({
    host: config.host,
    port: config.port,
    tls: config.tls,
    handler: withAccessLog(withCors(handler, { origins: config.corsOrigins }), logger, createRequestRecorder(metrics), createClientAddressResolver(config.credentials.trustedProxies)),
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    idleTimeoutMs: config.httpIdleTimeoutMs,
    bodyTimeoutMs: config.resourceLimits.httpBodyTimeoutMs,
    requestTimeoutMs: config.resourceLimits.httpRequestTimeoutMs,
    maxInflightBodyBytes: config.resourceLimits.maxInflightBodyBytes,
    http2MaxConcurrentStreams: config.resourceLimits.http2MaxConcurrentStreams,
    maxConnections: config.resourceLimits.maxConnections,
  });
  metrics.countConnectionsWith(() => listener.connectionCounts());
  return {
    listener,
    stores,
    apiKeys,
    scimConfigurations,
    scimTokens,
    scimCredentials,
    oauthClients,
    credentialUsage,
    auditTrail,
    authFailures,
    metrics,
    clock,
    developmentKey,
    noKeys,
    async close(graceMs = config.shutdownGraceMs) {
      // Cuts what is still open after the grace period, which aborts those calls' signals: no
      // shutdown signal of our own (connect-es would link every call to it, a listener added and
      // removed per call, on a signal holding one per call in flight).
      await listener.close(graceMs);
      clearInterval(usageFlushes);
      // The uses still held in memory, before the store goes.
      await credentialUsage.flush(true);
      stopSweeps();
      stopDatabaseMetrics();
      await stores.close();
    },
  };
}

/** Sweeps expired audit entries now and every AUDIT_SWEEP_INTERVAL_MS; returns the stop function. */
function startAuditSweeps(retention: AuditRetention, logger: Logger): () => void {
  const sweep = () => {
    retention.sweep().then(
      (deleted) => deleted > 0 && logger.info({ deleted, before: retention.cutoff() }, "expired audit entries deleted"),
      (err: unknown) => logger.warn({ err }, "sweeping expired audit entries failed; the next sweep retries"),
    );
  };
  sweep();
  const timer = setInterval(sweep, AUDIT_SWEEP_INTERVAL_MS);
  // Never the reason the process stays alive.
  timer.unref();
  return () => clearInterval(timer);
}
