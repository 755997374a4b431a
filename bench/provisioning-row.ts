/**
 * The provisioning row of `npm run bench` (issue 11): where it runs, its size (BENCH_PROVISION_*
 * variables) and its verdict. The measurement itself is provisioning.ts.
 */
import { postgresBinDir, startFerretDbOnPostgres, type FerretDbOnPostgres } from "./ferretdb-postgres.js";
import { log } from "./processes.js";
import { measureProvisioning } from "./provisioning.js";
import type { ProvisioningTarget, ProvisioningVerdict } from "./report-scim.js";

/** Users per side, created in rounds of PROVISION_USERS / PROVISION_ROUNDS (the 10,000). */
const PROVISION_USERS = Number(process.env.BENCH_PROVISION_USERS ?? 10_000);
const PROVISION_ROUNDS = Number(process.env.BENCH_PROVISION_ROUNDS ?? 10);
const PROVISION_WARMUP = Number(process.env.BENCH_PROVISION_WARMUP ?? 200);
/**
 * Issue 11: at least 0.8x the baseline's POSTs per second, p99 at most 1.3x, RSS under 300 MiB.
 * Issue 12: writing the audit entry costs a POST at most 15% of its throughput (bare with / without ≥ 0.85x).
 */
const PROVISION: ProvisioningTarget = { rps: 0.8, p99: 1.3, rssMb: 300, auditRps: 0.85 };

/**
 * The provisioning row on MONGODB_URI when given, else on FerretDB's PostgreSQL backend (the
 * SQLite one would take hours: see bench/ferretdb-postgres.ts); without PostgreSQL it is not run.
 */
export async function measureProvisioningRow(connections: number): Promise<ProvisioningVerdict> {
  let ferretOnPostgres: FerretDbOnPostgres | undefined;
  let uri = process.env.MONGODB_URI;
  let database = "MongoDB at MONGODB_URI";
  if (!uri) {
    const binDir = postgresBinDir();
    if (!binDir) {
      const why =
        "no PostgreSQL found (initdb and postgres in PATH, /usr/lib/postgresql/*/bin or BENCH_PG_BIN) for FerretDB's PostgreSQL backend; on SQLite the row would take hours. " +
        "Install it with `apt-get install -y postgresql` (Debian or Ubuntu, as root), or point MONGODB_URI at a MongoDB.";
      log(`provisioning not measured: ${why}`);
      return { ran: false, why, target: PROVISION };
    }
    log("starting FerretDB on PostgreSQL");
    ferretOnPostgres = await startFerretDbOnPostgres(binDir);
    uri = ferretOnPostgres.uri;
    database = ferretOnPostgres.description;
  }
  try {
    const result = await measureProvisioning({
      uri,
      databasePrefix: `bench_${Date.now()}`,
      users: PROVISION_USERS,
      rounds: PROVISION_ROUNDS,
      connections,
      warmupUsers: PROVISION_WARMUP,
      cumulative: process.env.BENCH_PROVISION_CUMULATIVE === "1",
    });
    const c = result.comparison;
    return {
      ran: true,
      result,
      database,
      target: PROVISION,
      throughputMet: c.rpsRatio.median >= PROVISION.rps && c.p99Ratio.median <= PROVISION.p99,
      rssMet: result.oursPeakRssMb < PROVISION.rssMb,
      auditMet: result.audit.rpsRatio.median >= PROVISION.auditRps,
    };
  } finally {
    await ferretOnPostgres?.destroy();
  }
}
