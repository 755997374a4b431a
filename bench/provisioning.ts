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
 *
 * A third side runs in the same rounds (issue 12): the bare baseline without its audit insert
 * (`BARE_PROVISIONING_AUDIT=off`), so that bare-with-audit / bare-without-audit, round by round,
 * is what writing the audit entry costs a POST, free of everything else the service does.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { ensureIndexes } from "./adapters.js";
import { compareRounds, p99RatioOf, type Comparison } from "./compare.js";
import { cpuMs, currentRssMb, log, startChild, stopChild } from "./processes.js";
import type { BareProvisioningReady, LoadResult, LoadSpec, OursReady } from "./protocol.js";
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
  /** The audit entry's cost: the bare baseline with its audit insert against the same handler without it. */
  audit: AuditCost;
}

/** Issue 12: the bare POST /Users with and without its audit insert, in the same rounds. */
export interface AuditCost {
  /** POST/s of the bare handler writing the audit entry, one value per round. */
  withRps: Spread;
  /** POST/s of the same handler without the audit insert. */
  withoutRps: Spread;
  /** with / without POST/s, per round: the share of throughput the audit entry leaves. */
  rpsRatio: Spread;
  /** with / without p99, per round. */
  p99Ratio: Spread;
  withCpuMsPerPost: Spread;
  withoutCpuMsPerPost: Spread;
}

/** The collections a POST /Users writes: emptied before every round (audit_log too, so that the sides with and without it stay alike). */
const WRITTEN = ["scim_users", "members", "audit_log"];

export async function measureProvisioning(options: ProvisioningOptions): Promise<ProvisioningResult> {
  const started = performance.now();
  if (options.users % options.rounds !== 0) throw new Error(`BENCH_PROVISION_USERS (${options.users}) must be a multiple of BENCH_PROVISION_ROUNDS (${options.rounds})`);
  const usersPerRound = options.users / options.rounds;

  log("provisioning: checking that the baseline sends the database what our POST /Users sends");
  const operations = await checkSameOperations(options.uri, options.databasePrefix);
  if (operations.problems.length > 0) throw new Error(`the provisioning baseline does not send the same database commands as the service:\n${operations.problems.join("\n")}`);

  // Seeded one after the other: FerretDB drops connections when two clients create indexes at once.
  const databases: Record<Side, string> = {
    ours: `${options.databasePrefix}_prov_ours`,
    base: `${options.databasePrefix}_prov_base`,
    noAudit: `${options.databasePrefix}_prov_noaudit`,
  };
  const organizationId = randomUUID();
  const oursSeed = await seedThroughStore(options.uri, databases.ours, organizationId, 1);
  const baseSeed = await seedThroughStore(options.uri, databases.base, organizationId, 1);
  const noAuditSeed = await seedThroughStore(options.uri, databases.noAudit, organizationId, 1);
  const common = { MONGODB_URI: options.uri, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent", DB_TIMEOUT_MS: "60000" };
  // The per-configuration rate limit (default 50/s) stays on, set above what the run reaches: the
  // row measures capacity, and one configuration is all it has.
  const ours = await startChild<OursReady>("ours-server.js", { ...common, MONGODB_DB: databases.ours, SCIM_RATE_PER_SECOND: "100000", SCIM_RATE_BURST: "1000000" });
  const base = await startChild<BareProvisioningReady>("bare-provisioning-server.js", { ...common, MONGODB_DB: databases.base });
  const noAudit = await startChild<BareProvisioningReady>("bare-provisioning-server.js", { ...common, MONGODB_DB: databases.noAudit, BARE_PROVISIONING_AUDIT: "off" });
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
    // CPU of every server when a round starts (all idle); a side's load is the only work between that and its end.
    const servers: Record<Side, ChildProcess> = { ours: ours.child, base: base.child, noAudit: noAudit.child };
    let cpuAtRound: Record<Side, number> = { ours: 0, base: 0, noAudit: 0 };
    const cpuPerPost: Record<Side, number[]> = { ours: [], base: [], noAudit: [] };
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
        others: {
          noAudit: {
            process: noAudit.child,
            warmup: load(noAudit.ready.port, noAuditSeed.token, options.warmupUsers, "wn"),
            round: (r) => load(noAudit.ready.port, noAuditSeed.token, usersPerRound, `n${r}`),
          },
        },
        peakRssFrom: "start",
        beforeRound: async (round) => {
          if (!options.cumulative || round === 0) await fresh();
          cpuAtRound = { ours: cpuMs(ours.child), base: cpuMs(base.child), noAudit: cpuMs(noAudit.child) };
        },
        afterLoad: async (name, round, r) => {
          const label = name as Side;
          cpuPerPost[label].push((cpuMs(servers[label]) - cpuAtRound[label]) / r.requests);
          const db = client.db(databases[label]);
          const [users, members] = [await db.collection("scim_users").countDocuments({}), await db.collection("members").countDocuments({})];
          const audits = await db.collection("audit_log").countDocuments({ action: "scim.user.create" });
          if (label === "ours") oursRssAfterRoundMb.push(currentRssMb(ours.child));
          log(`  round ${round + 1} ${label}: ${r.requests} POSTs in ${r.seconds.toFixed(1)} s (${r.rps.toFixed(1)}/s, p99 ${r.p99Ms} ms, ${r.errors + r.failures} failed); stored ${users} users, ${members} members`);
          const expected = options.cumulative ? usersPerRound * (round + 1) : usersPerRound;
          if (users !== expected || members !== expected) {
            throw new Error(`provisioning round ${round + 1} (${label}) left ${users} users and ${members} members, not ${expected} of each`);
          }
          // The switch works: the bare side without audit writes none, the one with it one per user.
          if (label !== "ours" && audits !== (label === "base" ? expected : 0)) {
            throw new Error(`provisioning round ${round + 1} (${label}) stored ${audits} audit entries for ${expected} users`);
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
      audit: auditCost(comparison.base, comparison.others.noAudit!, cpuPerPost),
      oursPeakRssMb: comparison.oursRssMb,
      basePeakRssMb: comparison.baseRssMb,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.close();
    await stopChild(ours.child);
    await stopChild(base.child);
    await stopChild(noAudit.child);
  }
}

/** The three servers of the row: ours, the bare baseline, and the bare baseline without its audit insert. */
type Side = "ours" | "base" | "noAudit";

function auditCost(withAudit: LoadResult[], without: LoadResult[], cpuPerPost: Record<Side, number[]>): AuditCost {
  return {
    withRps: spreadOf(withAudit.map((r) => r.rps)),
    withoutRps: spreadOf(without.map((r) => r.rps)),
    rpsRatio: spreadOf(withAudit.map((r, i) => r.rps / without[i]!.rps)),
    p99Ratio: p99RatioOf(withAudit, without),
    withCpuMsPerPost: spreadOf(cpuPerPost.base),
    withoutCpuMsPerPost: spreadOf(cpuPerPost.noAudit),
  };
}
