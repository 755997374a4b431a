/**
 * The real service, as `npm start` runs it, in a process of its own so that the bench can read
 * its peak RSS.
 */
import { startApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logging/logger.js";
import { openStores } from "../src/open-stores.js";
import { printReady } from "./protocol.js";

const config = loadConfig(process.env);
const stores = await openStores(config);
const app = await startApp({ config, stores, logger: createLogger("silent") });
printReady({ port: app.listener.address.port });
process.on("SIGTERM", () => {
  app.close(1000).then(() => process.exit(0));
});
