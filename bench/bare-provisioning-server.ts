/**
 * The bare provisioning baseline (bare-provisioning.ts) as a process of its own, like the
 * service's, so the bench can read its peak RSS and the load never shares its event loop.
 */
import http from "node:http";
import { MongoClient } from "mongodb";
import { createBareProvisioning } from "./bare-provisioning.js";
import { printReady } from "./protocol.js";

// The driver settings of the service's createMongoStores (timeouts, 1 s heartbeats), so the driver
// does the same work per command on both sides.
const timeoutMs = Number(process.env.DB_TIMEOUT_MS ?? 5000);
const client = new MongoClient(process.env.MONGODB_URI!, {
  serverSelectionTimeoutMS: timeoutMs,
  connectTimeoutMS: timeoutMs,
  socketTimeoutMS: timeoutMs,
  heartbeatFrequencyMS: 1000,
  appName: "bench-bare-provisioning",
});
await client.connect();
// BARE_PROVISIONING_AUDIT=off leaves the audit insert out: the row's reference for what that insert costs.
const handle = createBareProvisioning(client.db(process.env.MONGODB_DB!), { withAudit: process.env.BARE_PROVISIONING_AUDIT !== "off" });
const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
printReady({ port: (server.address() as { port: number }).port });
process.on("SIGTERM", () => process.exit(0));
