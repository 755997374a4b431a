/**
 * Checks, every run, that the bare provisioning baseline sends the database what our service
 * sends for a POST /scim/v2/Users: both create the same users (one Okta body, one Entra body) on
 * databases of their own with the service's indexes, with the driver's command monitoring on, and
 * their commands must have the same shapes in the same order, and their inserts about the same
 * size. Our side runs in process (startApp, as the service's main does) so its client can be
 * watched; the measured rows run both in processes of their own.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { MongoClient } from "mongodb";
import { startApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logging/logger.js";
import { generateToken, API_KEY } from "../src/domain/secret-token.js";
import { createMongoStores } from "./adapters.js";
import { createBareProvisioning } from "./bare-provisioning.js";
import { traceCommands, type TracedCommand } from "./command-trace.js";
import { seedThroughStore } from "./seed.js";
import { userBody } from "./user-bodies.js";

/** Inserted documents may differ this much in BSON size (the baseline's search form is built generically). */
const SIZE_TOLERANCE = 0.15;

export interface OperationRow {
  /** The command's shape (command-trace.ts). */
  shape: string;
  /** BSON bytes written, per body (Okta, Entra); 0 for reads. */
  oursBytes: number[];
  baseBytes: number[];
}

export interface SameOperations {
  /** Commands per POST (the same for both sides when `problems` is empty). */
  perPost: number;
  rows: OperationRow[];
  /** Every way the two sides differ; empty when they send the same commands. */
  problems: string[];
}

const BODIES = [userBody("ops", 0), userBody("ops", 1)];

export async function checkSameOperations(uri: string, databasePrefix: string): Promise<SameOperations> {
  const ours = await traceOurs(uri, `${databasePrefix}_ops_ours`);
  const base = await traceBaseline(uri, `${databasePrefix}_ops_base`);
  const problems: string[] = [];
  const rows: OperationRow[] = [];
  for (const [b, kind] of ["Okta", "Entra"].entries()) {
    const o = ours[b]!;
    const t = base[b]!;
    const oShapes = o.map((c) => c.shape).join("\n");
    const tShapes = t.map((c) => c.shape).join("\n");
    if (oShapes !== tShapes) problems.push(`${kind} body: our commands\n${oShapes}\ndiffer from the baseline's\n${tShapes}`);
    o.forEach((c, i) => {
      const other = t[i]?.writtenBytes ?? 0;
      if (c.writtenBytes > 0 && Math.abs(other - c.writtenBytes) > SIZE_TOLERANCE * c.writtenBytes) {
        problems.push(`${kind} body: "${c.shape}" writes ${c.writtenBytes} bytes here and ${other} in the baseline (more than ${SIZE_TOLERANCE * 100}% apart)`);
      }
    });
  }
  ours[0]!.forEach((c, i) => rows.push({ shape: c.shape, oursBytes: ours.map((p) => p[i]?.writtenBytes ?? 0), baseBytes: base.map((p) => p[i]?.writtenBytes ?? 0) }));
  return { perPost: ours[0]!.length, rows, problems };
}

/** Our service in process on its own database: the commands of each POST of BODIES. */
async function traceOurs(uri: string, database: string): Promise<TracedCommand[][]> {
  const { token, organizationId } = await seed(uri, database);
  const stores = await createMongoStores({ uri, database, operationTimeoutMs: 30_000, clientOptions: { monitorCommands: true } });
  const config = loadConfig({ MONGODB_URI: uri, MONGODB_DB: database, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent", INIT_ORGANIZATION_ID: organizationId, INIT_ADMIN_API_KEY: generateToken(API_KEY), SCIM_RATE_PER_SECOND: "0" });
  const app = await startApp({ config, stores, logger: createLogger("silent") });
  try {
    // A token's first use is written at once, then at most once a minute (credential-usage.ts):
    // not a command of every POST, so it happens before the trace starts.
    await fetch(`http://127.0.0.1:${app.listener.address.port}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer());
    await app.credentialUsage.flush(true);
    return await postEach(`http://127.0.0.1:${app.listener.address.port}`, token, traceCommands(stores.client));
  } finally {
    await app.close(1000);
    await dropDatabase(uri, database);
  }
}

/** The bare baseline in process on its own database (the service's indexes): the same. */
async function traceBaseline(uri: string, database: string): Promise<TracedCommand[][]> {
  const { token } = await seed(uri, database);
  const client = new MongoClient(uri, { monitorCommands: true });
  await client.connect();
  const server = http.createServer(createBareProvisioning(client.db(database)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await postEach(`http://127.0.0.1:${(server.address() as { port: number }).port}`, token, traceCommands(client));
  } finally {
    server.close();
    await client.close();
    await dropDatabase(uri, database);
  }
}

/** One configuration, and every index the service creates (through its own store). */
async function seed(uri: string, database: string): Promise<{ token: string; organizationId: string }> {
  const organizationId = randomUUID();
  const { token } = await seedThroughStore(uri, database, organizationId, 1);
  return { token, organizationId };
}

async function postEach(baseUrl: string, token: string, trace: ReturnType<typeof traceCommands>): Promise<TracedCommand[][]> {
  const perBody: TracedCommand[][] = [];
  for (const body of BODIES) {
    trace.clear();
    const res = await fetch(`${baseUrl}/scim/v2/Users`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /scim/v2/Users answered ${res.status} while tracing its commands: ${text.slice(0, 300)}`);
    perBody.push([...trace.commands]);
  }
  trace.stop();
  return perBody;
}

async function dropDatabase(uri: string, database: string): Promise<void> {
  const client = new MongoClient(uri);
  try {
    await client.connect();
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}
