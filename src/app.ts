import { setMaxListeners } from "node:events";
import { OrganizationService } from "../gen/gitpod/v1/organization_pb.js";
import { ApiKeys } from "./domain/api-keys.js";
import { systemClock, type Clock } from "./domain/clock.js";
import { ScimConfigurations } from "./domain/scim-configurations.js";
import { SsoConfigurations } from "./domain/sso-configurations.js";
import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import { OrganizationServiceHandler } from "./service/organization-service.js";
import { createConsoleHandler, defaultConsoleDir } from "./server/console-files.js";
import { withCors } from "./server/cors.js";
import { createFallback } from "./server/fallback.js";
import { createNodeHandler } from "./server/node-handler.js";
import { registerHealthRoutes } from "./server/health-routes.js";
import { registerScimRoutes } from "./http/scim-routes.js";
import { registerUnleashRoutes } from "./http/unleash-scim-settings.js";
import { HttpRouter } from "./server/http-router.js";
import { createAuthInterceptor, createErrorAndLogInterceptor } from "./server/interceptors.js";
import { startListener, type Listener } from "./server/listener.js";
import { OPEN_SERVICES, registerOperationalServices } from "./server/operational-services.js";
import { registerRoutes } from "./server/routes.js";
import { requestContextValues } from "./server/client-address.js";
import { AuthFailureLimiter } from "./server/rate-limit.js";
import { bootstrapKeys, type ShownOnce } from "./bootstrap.js";
import type { Stores } from "./store/stores.js";

/** Wire limits: nothing near the adapter defaults (about 4 GiB and no timeout). */
export const READ_MAX_BYTES = 1024 * 1024;
export const WRITE_MAX_BYTES = 4 * 1024 * 1024;
export const MAX_TIMEOUT_MS = 30_000;

export interface AppOptions {
  config: Config;
  stores: Stores;
  logger: Logger;
  /** Defaults to the system clock; tests pass a ManualClock. */
  clock?: Clock;
  /** The built admin console served at /console/; defaults to dist/console. */
  consoleDir?: string;
}

export interface App {
  readonly listener: Listener;
  readonly stores: Stores;
  readonly apiKeys: ApiKeys;
  readonly scimConfigurations: ScimConfigurations;
  /** Counts failed authentications per client address; shared by every authenticated route. */
  readonly authFailures: AuthFailureLimiter;
  readonly clock: Clock;
  /** Set when embedded mode created a development key that must be printed once. */
  readonly developmentKey: ShownOnce | undefined;
  /** Graceful: refuse new calls, finish in-flight ones within the grace period, close the store. */
  close(graceMs?: number): Promise<void>;
}

/** Builds the whole service on given stores and starts listening. */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, stores, logger } = options;
  const clock = options.clock ?? systemClock;
  const apiKeys = new ApiKeys(stores.apiKeys, clock, { cacheTtlMs: config.apiKeyCacheTtlMs });
  const authFailures = new AuthFailureLimiter({ failuresPerMinute: config.authFailuresPerMinute });
  const scimConfigurations = new ScimConfigurations(stores.scimConfigurations, stores.ssoConfigurations, clock);
  const ssoConfigurations = new SsoConfigurations(stores.ssoConfigurations, stores.scimConfigurations, clock);
  const developmentKey = await bootstrapKeys(config, stores, apiKeys, logger);

  const router = new HttpRouter();
  registerHealthRoutes(router, stores);
  registerUnleashRoutes(router, { apiKeys, scim: scimConfigurations, clock, logger, authFailures });
  registerScimRoutes(router, scimConfigurations, logger, authFailures);

  const consoleFiles = createConsoleHandler(options.consoleDir ?? defaultConsoleDir());
  const routes = createFallback(router);
  const shutdown = new AbortController();
  // Connect links every in-flight call to this signal; more than 10 at once is normal here.
  setMaxListeners(0, shutdown.signal);
  const handler = createNodeHandler({
    routes: (r) => {
      registerRoutes(r, new OrganizationServiceHandler(scimConfigurations, ssoConfigurations));
      registerOperationalServices(r, stores, [OrganizationService]);
    },
    interceptors: [createErrorAndLogInterceptor(logger), createAuthInterceptor(apiKeys, OPEN_SERVICES, authFailures)],
    contextValues: requestContextValues,
    fallback: (req, res) => {
      consoleFiles(req, res).then(
        (handled) => handled || routes(req, res),
        (err: unknown) => {
          logger.error({ err }, "serving a console file failed");
          if (!res.headersSent) res.writeHead(500);
          res.end();
        },
      );
    },
    readMaxBytes: READ_MAX_BYTES,
    writeMaxBytes: WRITE_MAX_BYTES,
    maxTimeoutMs: MAX_TIMEOUT_MS,
    shutdownSignal: shutdown.signal,
    logger,
  });

  const listener = await startListener({
    host: config.host,
    port: config.port,
    tls: config.tls,
    handler: withCors(handler, { origins: config.corsOrigins }),
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    idleTimeoutMs: config.httpIdleTimeoutMs,
  });
  return {
    listener,
    stores,
    apiKeys,
    scimConfigurations,
    authFailures,
    clock,
    developmentKey,
    async close(graceMs = config.shutdownGraceMs) {
      await listener.close(graceMs);
      shutdown.abort();
      await stores.close();
    },
  };
}
