/**
 * `npm run bench`: first, in process, List pages and the SCIM operations of the memory store at
 * two sizes; then starts FerretDB (or uses MONGODB_URI), the service and a bare baseline, and
 * drives both with a load generator in a separate process, interleaved round by round; then
 * provisioning through POST /scim/v2/Users against a bare baseline, on FerretDB's PostgreSQL
 * backend. Prints the tables, writes bench/results.md and exits 1 only when a target is missed
 * in the median over rounds (or our requests failed).
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { generateToken, API_KEY } from "../src/domain/secret-token.js";
import { startFerretDb, type RunningFerretDb } from "../test/support/ferretdb.js";
import { compare, type CompareOptions, type Comparison } from "./compare.js";
import { seedCredentialDatabase, seedThroughApi } from "./credential-rows.js";
import { LATER_ROWS } from "./later-rows.js";
import { measureMemoryGrowth } from "./memory-growth.js";
import { killChildren, log, startChild, stopChild } from "./processes.js";
import type { BaselineReady, LoadSpec, OursReady } from "./protocol.js";
import { measureProvisioningRow } from "./provisioning-row.js";
import { renderLoadTable, renderResults, type GrowthVerdict, type LoadRow, type LoadTarget } from "./report.js";
import type { ScimGrowthVerdict } from "./report-scim.js";
import { measureScimGrowth } from "./scim-growth.js";
import { seedThroughStore } from "./seed.js";

/**
 * Interleaved rounds per load row (and samples per growth size). Nine, not five: over eleven full
 * runs at five rounds the token-verification row's median ranged 0.94-1.04 (mean 0.995, sd 0.026)
 * against its 0.95 gate, and Get over gRPC's 0.91-1.06 against 0.9, so a run missed about one time
 * in ten on noise alone (08:28 on 2026-11-27: 0.94). A median of nine rounds spreads about
 * sqrt(5/9) as much, putting those gates 2.3 sd below the rows' means instead of 1.7.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_S = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const WARMUP_S = 2;
const CONNECTIONS = 16;
const GROWTH_SMALL = 1_000;
const GROWTH_LARGE = Number(process.env.BENCH_GROWTH_SIZE ?? 100_000);
/** Time at 100,000 configurations / time at 1,000, for a List page. */
const GROWTH_MAX_RATIO = 1.5;
const READS: LoadTarget = { rps: 0.9, p99: 1.3 };
/** Issue 11: time at 100,000 users (members) / time at 1,000 users (10 members). */
const SCIM_GROWTH_MAX_RATIO = 1.5;
const SCIM_SMALL_GROUP = 10;
/** The service's per-configuration SCIM rate limit stays on, above anything a row reaches. */
const SCIM_RATE = { SCIM_RATE_PER_SECOND: "100000", SCIM_RATE_BURST: "1000000" };
/**
 * BENCH_ONLY=tokens runs only the token rows (the token-verification pair and issue 13's two
 * rows beside it) and prints their table without writing results.md: a quick look at one part.
 */
const ONLY_TOKENS = process.env.BENCH_ONLY === "tokens";

let ferret: RunningFerretDb | undefined;

async function main(): Promise<number> {
  const started = new Date();
  const loadAtStart = loadavg()[0]!;
  if (ROUNDS < 5) log(`BENCH_ROUNDS=${ROUNDS}: fewer than 5 rounds, a single odd round can move the median`);

  const phases: { name: string; seconds: number; loadAverage: number }[] = [];
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await run();
    } finally {
      phases.push({ name, seconds: (performance.now() - t) / 1000, loadAverage: loadavg()[0]! });
    }
  };

  // First, while nothing else of the bench runs: the in-process growth measurements.
  log(`growth: memory store List pages at ${GROWTH_SMALL} and ${GROWTH_LARGE} configurations`);
  const growthRows = ONLY_TOKENS ? [] : await phase("memory growth, List pages", () => measureMemoryGrowth({ smallSize: GROWTH_SMALL, largeSize: GROWTH_LARGE, rounds: ROUNDS, minSampleMs: 300 }));
  const growth: GrowthVerdict[] = growthRows.map((row) => ({ row, maxRatio: GROWTH_MAX_RATIO, met: row.ratio.median <= GROWTH_MAX_RATIO }));
  log(`growth: SCIM lookups and group members at ${GROWTH_SMALL} / ${SCIM_SMALL_GROUP} and ${GROWTH_LARGE}`);
  const scimGrowthRows = ONLY_TOKENS
    ? []
    : await phase("memory growth, SCIM", () => measureScimGrowth({ smallUsers: GROWTH_SMALL, largeUsers: GROWTH_LARGE, smallGroup: SCIM_SMALL_GROUP, rounds: ROUNDS, minSampleMs: 300 }));
  const scimGrowth: ScimGrowthVerdict[] = scimGrowthRows.map((row) => ({ row, maxRatio: SCIM_GROWTH_MAX_RATIO, met: row.ratio.median <= SCIM_GROWTH_MAX_RATIO }));
  const loadRowsStarted = performance.now();

  let uri = process.env.MONGODB_URI;
  if (!uri) {
    log("starting FerretDB");
    ferret = await startFerretDb();
    uri = ferret.uri;
  }
  const organizationId = randomUUID();
  const apiKey = generateToken(API_KEY);
  const database = `bench_${Date.now()}`;
  log("seeding 200 configurations");
  const { ids, token } = await seedThroughStore(uri, database, organizationId, 200);
  // Issue 13's rows: a database (and a server) of their own each, laid out like this one (credential-rows.ts).
  log("seeding the credential rows' databases");
  const overlapTokens = await seedCredentialDatabase(uri, `${database}_overlap`, organizationId, "overlap");
  const oauthTokens = await seedCredentialDatabase(uri, `${database}_oauth`, organizationId, "oauth");

  const env = { MONGODB_URI: uri, MONGODB_DB: database, INIT_ORGANIZATION_ID: organizationId, INIT_ADMIN_API_KEY: apiKey, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent", ...SCIM_RATE };
  // One after the other: FerretDB drops connections when two clients create indexes at once.
  const ours = await startChild<OursReady>("ours-server.js", env);
  const base = await startChild<BaselineReady>("baseline-server.js", env);
  const oursOverlap = await startChild<OursReady>("ours-server.js", { ...env, MONGODB_DB: `${database}_overlap` });
  const baseOverlap = await startChild<BaselineReady>("baseline-server.js", { ...env, MONGODB_DB: `${database}_overlap` });
  const oursOAuth = await startChild<OursReady>("ours-server.js", { ...env, MONGODB_DB: `${database}_oauth` });
  const oursUrl = `http://127.0.0.1:${ours.ready.port}`;
  const baseH1 = `http://127.0.0.1:${base.ready.h1Port}`;
  const baseH2 = `http://127.0.0.1:${base.ready.h2Port}`;
  const json = { "content-type": "application/json" };
  const auth = { ...json, authorization: `Bearer ${apiKey}` };
  const rpc = (baseUrl: string, method: string) => `${baseUrl}/gitpod.v1.OrganizationService/${method}`;
  const getBody = [JSON.stringify({ scimConfigurationId: ids[1] })];
  const listBody = [JSON.stringify({ pagination: { pageSize: 25 } })];
  const http = (url: string, headers: Record<string, string>, bodies: string[], connections = CONNECTIONS, method: "GET" | "POST" = "POST"): LoadSpec => ({
    kind: "http",
    url,
    method,
    headers,
    bodies,
    connections,
  });
  const grpc = (baseUrl: string, method: "get" | "list", key?: string): LoadSpec => ({
    kind: "grpc",
    baseUrl,
    method,
    scimConfigurationId: ids[1]!,
    concurrency: CONNECTIONS,
    durationS: ROUND_S,
    ...(key ? { apiKey: key } : {}),
  });

  const options: CompareOptions = { rounds: ROUNDS, roundSeconds: ROUND_S, warmupSeconds: WARMUP_S };
  const loads: LoadRow[] = [];
  // A target is missed only when a median misses it (issue 14).
  const meets = (c: Comparison, target: LoadTarget) => c.rpsRatio.median >= target.rps && (target.p99 === undefined || c.p99Ratio.median <= target.p99);
  const pairWith = async (scenario: string, oursChild: ChildProcess, o: LoadSpec, baseChild: ChildProcess, b: LoadSpec, target: LoadTarget) => {
    log(scenario);
    const comparison = await compare(side(oursChild, o), side(baseChild, b), options);
    const row = { scenario, comparison, target, met: meets(comparison, target) };
    loads.push(row);
    return row;
  };
  const pair = (scenario: string, o: LoadSpec, b: LoadSpec, target: LoadTarget) => pairWith(scenario, ours.child, o, base.child, b, target);

  if (!ONLY_TOKENS) {
    await pair("GetSCIMConfiguration, Connect JSON, HTTP/1.1", http(rpc(oursUrl, "GetSCIMConfiguration"), auth, getBody), http(rpc(baseH1, "GetSCIMConfiguration"), json, getBody), READS);
    await pair("ListSCIMConfigurations (25), Connect JSON, HTTP/1.1", http(rpc(oursUrl, "ListSCIMConfigurations"), auth, listBody), http(rpc(baseH1, "ListSCIMConfigurations"), json, listBody), READS);
    await pair("GetSCIMConfiguration, gRPC, h2c", grpc(oursUrl, "get", apiKey), grpc(baseH2, "get"), READS);
    await pair("ListSCIMConfigurations (25), gRPC, h2c", grpc(oursUrl, "list", apiKey), grpc(baseH2, "list"), READS);
  }
  const verify = (port: number, bearer: string) => http(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`, { authorization: `Bearer ${bearer}` }, [""], CONNECTIONS, "GET");
  const bareVerify = (port: number, bearer: string) => http(`http://127.0.0.1:${port}/verify`, { authorization: `Bearer ${bearer}` }, [""], CONNECTIONS, "GET");
  const single = await pair("SCIM token verification: GET /scim/v2/ServiceProviderConfig vs bare findOne by hash", verify(ours.ready.port, token), bareVerify(base.ready.h1Port, token), {
    rps: 0.95,
  });
  // Issue 13, beside the row above (credential-rows.ts says why each side reads the same document).
  const overlapTarget = Math.floor(0.9 * single.comparison.rpsRatio.median * 100) / 100;
  await pairWith(
    "The same with 5 live tokens and an allowlist (a rotated-out token, 20 CIDRs): vs bare findOne by hash of that document",
    oursOverlap.child,
    verify(oursOverlap.ready.port, overlapTokens.presented),
    baseOverlap.child,
    bareVerify(baseOverlap.ready.h1Port, overlapTokens.presented),
    { rps: overlapTarget, note: "90% of the row above" },
  );
  const pairOurs = async (scenario: string, server: { child: ChildProcess; ready: OursReady }, tokens: { reference: string; presented: string }, target: LoadTarget) => {
    log(scenario);
    const comparison = await compare(side(server.child, verify(server.ready.port, tokens.presented)), side(server.child, verify(server.ready.port, tokens.reference)), options);
    loads.push({ scenario, comparison, target, met: meets(comparison, target) });
  };
  await pairOurs("OAuth access-token verification vs SCIM token verification of the same configuration (both ours)", oursOAuth, oauthTokens, { rps: 1.0 });
  await stopChild(oursOverlap.child);
  await stopChild(baseOverlap.child);
  await stopChild(oursOAuth.child);
  // The same two rows on the embedded memory store, seeded through the API: the service's own cost.
  const oursMemory = await startChild<OursReady>("ours-server.js", { ...env, MONGODB_URI: "", MONGODB_DB: "" });
  const memoryTokens = await seedThroughApi(`http://127.0.0.1:${oursMemory.ready.port}`, apiKey, organizationId);
  await pairOurs("Embedded memory store: SCIM token verification with 5 live tokens and an allowlist vs one token, no allowlist", oursMemory, { reference: memoryTokens.reference, presented: memoryTokens.overlapping }, { rps: 0.9 });
  // Issue 13's "at least as fast" is the FerretDB row above (a primary-key read against a search by
  // hash). Here both checks are one Map probe: timed in process the access token's is ~0.05 µs
  // slower (a longer token to checksum and hash) in a ~24 µs request, so this row's true ratio is
  // ~0.998 and a 1.0 gate passed or failed with the noise (medians 0.99-1.04 over nine runs; the
  // 06:18 run missed at 1.00). It guards against the access token becoming clearly slower instead.
  await pairOurs("Embedded memory store: OAuth access-token verification vs SCIM token verification", oursMemory, { reference: memoryTokens.reference, presented: memoryTokens.access }, {
    rps: 0.97,
    note: "same work on this store: no slower beyond the noise",
  });
  await stopChild(oursMemory.child);
  // 32 clients, each on its own configuration (not the one whose token the verification uses).
  // The target (issue 9) needs Regenerate to be one round trip, as the baseline's is.
  const regenerateBodies = ids.slice(2, 34).map((id) => JSON.stringify({ scimConfigurationId: id }));
  if (!ONLY_TOKENS) await pair(
    "RegenerateSCIMToken, 32 clients on distinct configurations",
    http(rpc(oursUrl, "RegenerateSCIMToken"), auth, regenerateBodies, 32),
    http(rpc(baseH1, "RegenerateSCIMToken"), json, regenerateBodies, 32),
    { rps: 0.9 },
  );
  phases.push({ name: "management and token rows (FerretDB, SQLite)", seconds: (performance.now() - loadRowsStarted) / 1000, loadAverage: loadavg()[0]! });

  // Issue 12's audit row is part of this one (a third server in the same rounds: bench/provisioning.ts).
  if (ONLY_TOKENS) {
    process.stdout.write("\n" + renderLoadTable(loads) + "\n");
    return loads.some((r) => !r.met || r.comparison.oursFailed > 0) ? 1 : 0;
  }
  const provisioning = await phase("provisioning (FerretDB, PostgreSQL)", () => measureProvisioningRow(CONNECTIONS));

  const results = renderResults(
    {
      started,
      finished: new Date(),
      database: process.env.MONGODB_URI ? "MongoDB at MONGODB_URI" : "FerretDB v1.24.2 (SQLite)",
      rounds: ROUNDS,
      roundSeconds: ROUND_S,
      warmupSeconds: WARMUP_S,
      connections: CONNECTIONS,
      smallSize: GROWTH_SMALL,
      largeSize: GROWTH_LARGE,
      loadAverage: [loadAtStart, loadavg()[0]!],
      phases,
    },
    loads,
    growth,
    { provisioning, growth: scimGrowth, later: LATER_ROWS },
  );
  process.stdout.write("\n" + results + "\n");
  writeFileSync(new URL("./results.md", `file://${process.cwd()}/bench/`), results);
  log("wrote bench/results.md");
  const missed =
    loads.some((r) => !r.met) ||
    growth.some((g) => !g.met) ||
    scimGrowth.some((g) => !g.met) ||
    !provisioning.ran ||
    !provisioning.throughputMet ||
    !provisioning.rssMet ||
    !provisioning.auditMet;
  const failed = loads.some((r) => r.comparison.oursFailed > 0) || (provisioning.ran && provisioning.result.comparison.oursFailed > 0);
  if (missed) log("a target was missed in the median over rounds: exit 1");
  if (failed) log("some of our requests failed (see results.md): exit 1");
  return missed || failed ? 1 : 0;
}

function side(child: ChildProcess, spec: LoadSpec) {
  return { process: child, spec };
}

async function cleanup(): Promise<void> {
  killChildren();
  await ferret?.destroy();
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  },
);
