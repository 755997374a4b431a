/**
 * The bare provisioning baseline (bare-provisioning.ts) as a process of its own, like the
 * service's, so the bench can read its peak RSS and the load never shares its event loop.
 */
import http from "node:http";
import { MongoClient } from "mongodb";
import { createBareProvisioning } from "./bare-provisioning.js";
import { printReady } from "./protocol.js";

const client = new MongoClient(process.env.MONGODB_URI!, { serverSelectionTimeoutMS: 30_000, socketTimeoutMS: 60_000 });
await client.connect();
const handle = createBareProvisioning(client.db(process.env.MONGODB_DB!));
const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
printReady({ port: (server.address() as { port: number }).port });
process.on("SIGTERM", () => process.exit(0));
