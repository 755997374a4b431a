import { startApp } from "./app.js";
import { NO_KEYS_HINT } from "./bootstrap.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logging/logger.js";
import { openStores } from "./open-stores.js";
import { StoreUnavailableError } from "./domain/errors.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let stores;
  try {
    stores = await openStores(config);
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      process.stderr.write(`cannot reach MongoDB at MONGODB_URI within ${config.dbTimeoutMs} ms; is it running?\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await startApp({ config, stores, logger });
  const { address, port } = app.listener.address;
  const store = stores.kind === "memory" ? "memory (embedded; data is lost on exit)" : `mongodb (database ${config.mongodbDatabase})`;
  logger.info(
    { address, port, protocols: ["connect+json", "connect+proto", "grpc", "grpc-web"], transports: app.listener.protocols, store: stores.kind },
    `scim-config-service listening on ${config.tls ? "https" : "http"}://${address}:${port} — Connect, gRPC and gRPC-web over ${app.listener.protocols.join(" and ")}; store: ${store}`,
  );
  if (app.developmentKey) {
    // Printed once, to the terminal, on purpose: it is the only way to learn the embedded key.
    process.stdout.write(
      `\nEmbedded mode created a development organization and admin API key (shown only now):\n` +
        `  organization id: ${app.developmentKey.organizationId}\n` +
        `  API key:         ${app.developmentKey.apiKey}\n\n`,
    );
  }

  if (app.noKeys) process.stdout.write(`\n${NO_KEYS_HINT}\n\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight calls");
    app.close().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
