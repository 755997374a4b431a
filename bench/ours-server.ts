/**
 * The real service, as `npm start` runs it, in a process of its own so that the bench can read
 * its peak RSS. It also serves verifyScimToken behind a small HTTP route for the token bench.
 */
import http from "node:http";
import { startApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { systemClock } from "../src/domain/clock.js";
import { verifyScimToken } from "../src/domain/scim-token-verifier.js";
import { createLogger } from "../src/logger.js";
import { bearerToken } from "../src/server/authorization-header.js";
import { sendJson } from "../src/server/http-router.js";
import { openStores } from "../src/stores.js";
import { printReady } from "./protocol.js";

const config = loadConfig(process.env);
const stores = await openStores(config);
const app = await startApp({ config, stores, logger: createLogger("silent") });

const verify = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  verifyScimToken(stores.scimConfigurations, systemClock, bearerToken(req.headers.authorization)).then(
    (v) => sendJson(res, v.ok ? 200 : 401, v.ok ? { id: v.configuration.id } : { reason: v.reason }),
    () => sendJson(res, 503, { error: "unavailable" }),
  );
});
await new Promise<void>((resolve) => verify.listen(0, "127.0.0.1", resolve));

printReady({ port: app.listener.address.port, verifyPort: (verify.address() as { port: number }).port });
process.on("SIGTERM", () => {
  verify.close();
  app.close(1000).then(() => process.exit(0));
});
