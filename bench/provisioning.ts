/**
 * Provisioning on FerretDB (issue 11): N users created through POST /scim/v2/Users by 16
 * concurrent clients, our service against the bare baseline (bare-provisioning.ts), interleaved:
 * each round creates N / rounds users on one side, then on the other (alternating which goes
 * first). Each side has a database of its own, with a server process started for this row only
 * (so our process's peak RSS covers exactly this run), and by default every round starts from
 * fresh collections (dropped, then the service's indexes created again): FerretDB scans on every
 * lookup, so a collection that kept growing would make the later rounds measure FerretDB's scans
 * and little else (`cumulative` keeps them, to see that). Before the load, same-operations.ts checks that both sides send the same
 * database commands per POST; after each load, its database must hold exactly the users and
 * members that load created.
 */
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { ensureIndexes } from "./adapters.js";
import { compareRounds, type Comparison } from "./compare.js";
import { cpuMs, currentRssMb, log, startChild, stopChild } from "./processes.js";
import type { BareProvisioningReady, LoadSpec, OursReady } from "./protocol.js";
import { checkSameOperations, type SameOperations } from "./same-operations.js";
import { seedThroughStore } from "./seed.js";
import { spreadOf, type Spread } from "./spread.js";

export interface ProvisioningOptions {
  /** MongoDB (FerretDB) connection string. */
  uri: string;
  /** Prefix of the row's database names. */
  databasePrefix: string;
  /** Users created per side over all rounds (the 10,000). */
  users: number;
  rounds: number;
  connections: number;
  /** Users created per side before the rounds, unmeasured (JIT, connection pools). */
  warmupUsers: number;
  /**
   * Keep the users of earlier rounds instead of starting each round from fresh collections, so
   * the last round writes into collections of `users` documents (FerretDB then scans ever more).
   */
  cumulative: boolean;
}

export interface ProvisioningResult {
  comparison: Comparison;
  operations: SameOperations;
  /** Users per side per round. */
  usersPerRound: number;
  /** Whether the collections kept the users of earlier rounds (else fresh each round). */
  cumulative: boolean;
  /** Our service's RSS after each of its loads (MiB): flat when it keeps no per-user state. */
  oursRssAfterRoundMb: number[];
  /** CPU time each server process spent per POST, ms, one value per round. */
  oursCpuMsPerPost: Spread;
  baseCpuMsPerPost: Spread;
  /** Peak RSS from the process's start through the whole row (warm-up included), MiB. */
  oursPeakRssMb: number;
  basePeakRssMb: number;
  /** Wall time of the whole row, seconds (setup, check, warm-up, rounds). */
  seconds: number;
}

/** The collections a POST /Users writes: emptied before every round. */
const WRITTEN = ["scim_users", "members"];

export async function measureProvisioning(options: ProvisioningOptions): Promise<ProvisioningResult> {
  const started = performance.now();
  if (options.users % options.rounds !== 0) throw new Error(`BENCH_PROVISION_USERS (${options.users}) must be a multiple of BENCH_PROVISION_ROUNDS (${options.rounds})`);
  const usersPerRound = options.users / options.rounds;

  log("provisioning: checking that the baseline sends the database what our POST /Users sends");
  const operations = await checkSameOperations(options.uri, options.databasePrefix);
  if (operations.problems.length > 0) throw new Error(`the provisioning baseline does not send the same database commands as the service:\n${operations.problems.join("\n")}`);

  // Seeded one after the other: FerretDB drops connections when two clients create indexes at once.
  const databases = { ours: `${options.databasePrefix}_prov_ours`, base: `${options.databasePrefix}_prov_base` };
  const organizationId = randomUUID();
  const oursSeed = await seedThroughStore(options.uri, databases.ours, organizationId, 1);
  const baseSeed = await seedThroughStore(options.uri, databases.base, organizationId, 1);
  const common = { MONGODB_URI: options.uri, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent", DB_TIMEOUT_MS: "60000" };
  // The per-configuration rate limit (default 50/s) stays on, set above what the run reaches: the
  // row measures capacity, and one configuration is all it has.
  const ours = await startChild<OursReady>("ours-server.js", { ...common, MONGODB_DB: databases.ours, SCIM_RATE_PER_SECOND: "100000", SCIM_RATE_BURST: "1000000" });
  const base = await startChild<BareProvisioningReady>("bare-provisioning-server.js", { ...common, MONGODB_DB: databases.base });
  const client = new MongoClient(options.uri, { socketTimeoutMS: 120_000 });
  await client.connect();
  try {
    const load = (port: number, token: string, users: number, run: string): LoadSpec => ({
      kind: "provision",
      url: `http://127.0.0.1:${port}/scim/v2/Users`,
      token,
      connections: options.connections,
      users,
      run,
    });
    const fresh = async () => {
      for (const db of Object.values(databases)) {
        for (const name of WRITTEN) await client.db(db).collection(name).drop().catch(() => false);
        await ensureIndexes(client.db(db));
      }
    };
    const oursRssAfterRoundMb: number[] = [];
    // CPU of both servers when a round starts (both idle); a side's load is the only work between that and its end.
    let cpuAtRound = { ours: 0, base: 0 };
    const cpuPerPost = { ours: [] as number[], base: [] as number[] };
    const servers = { ours: ours.child, base: base.child };
    log(
      `provisioning: ${options.rounds} rounds of ${usersPerRound} users per side (${options.cumulative ? "collections kept from round to round" : "fresh collections each round"}) ` +
        `after ${options.warmupUsers} warm-up users each`,
    );
    await fresh();
    const comparison = await compareRounds(
      { process: ours.child, warmup: load(ours.ready.port, oursSeed.token, options.warmupUsers, "wo"), round: (r) => load(ours.ready.port, oursSeed.token, usersPerRound, `o${r}`) },
      { process: base.child, warmup: load(base.ready.port, baseSeed.token, options.warmupUsers, "wb"), round: (r) => load(base.ready.port, baseSeed.token, usersPerRound, `b${r}`) },
      {
        rounds: options.rounds,
        peakRssFrom: "start",
        beforeRound: async (round) => {
          if (!options.cumulative || round === 0) await fresh();
          cpuAtRound = { ours: cpuMs(ours.child), base: cpuMs(base.child) };
        },
        afterLoad: async (label, round, r) => {
          cpuPerPost[label].push((cpuMs(servers[label]) - cpuAtRound[label]) / r.requests);
          const db = client.db(databases[label]);
          const [users, members] = [await db.collection("scim_users").countDocuments({}), await db.collection("members").countDocuments({})];
          if (label === "ours") oursRssAfterRoundMb.push(currentRssMb(ours.child));
          log(`  round ${round + 1} ${label}: ${r.requests} POSTs in ${r.seconds.toFixed(1)} s (${r.rps.toFixed(1)}/s, p99 ${r.p99Ms} ms, ${r.errors + r.failures} failed); stored ${users} users, ${members} members`);
          const expected = options.cumulative ? usersPerRound * (round + 1) : usersPerRound;
          if (users !== expected || members !== expected) {
            throw new Error(`provisioning round ${round + 1} (${label}) left ${users} users and ${members} members, not ${expected} of each`);
          }
        },
      },
    );
    return {
      comparison,
      operations,
      usersPerRound,
      cumulative: options.cumulative,
      oursRssAfterRoundMb,
      oursCpuMsPerPost: spreadOf(cpuPerPost.ours),
      baseCpuMsPerPost: spreadOf(cpuPerPost.base),
      oursPeakRssMb: comparison.oursRssMb,
      basePeakRssMb: comparison.baseRssMb,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.close();
    await stopChild(ours.child);
    await stopChild(base.child);
  }
}
