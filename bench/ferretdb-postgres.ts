/**
 * FerretDB v1.24.2 on its PostgreSQL backend, for the provisioning row. Both FerretDB backends
 * use no index, but they scan at very different speeds: measured on this machine, a findOne that
 * matches nothing among 1,000 documents of 1.5 KB (a SCIM User is 1.7 to 3 KB) takes ~100 ms on
 * SQLite and ~4 ms on PostgreSQL (10,000 on PostgreSQL: ~22 ms), because PostgreSQL evaluates the pushed-down equality in its
 * own sequential scan where SQLite's handler decodes every document in Go. A POST /Users sends six
 * such reads, so 10,000 users a side would take hours on SQLite and takes minutes here.
 *
 * A throwaway cluster: initdb into a temporary folder (trust authentication, loopback only,
 * fsync off: nothing here needs to survive), `postgres` run as a child of the bench (as the
 * `postgres` system user when the bench runs as root, which PostgreSQL refuses), FerretDB on top,
 * all removed by destroy().
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ferretDbBinary, freePort, waitForPort } from "../test/support/ferretdb.js";

export interface FerretDbOnPostgres {
  uri: string;
  /** "FerretDB v1.24.2 (PostgreSQL 15.x)". */
  description: string;
  destroy(): Promise<void>;
}

/** The folder holding initdb and postgres: BENCH_PG_BIN, else PATH, else Debian's layout. */
export function postgresBinDir(): string | undefined {
  const candidates = [process.env.BENCH_PG_BIN, ...(process.env.PATH ?? "").split(":"), ...debianBinDirs()].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "postgres")));
}

function debianBinDirs(): string[] {
  try {
    return readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

export async function startFerretDbOnPostgres(binDir: string): Promise<FerretDbOnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "bench-pg-"));
  const owner = runAs();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  let postgres: ChildProcess | undefined;
  let ferret: ChildProcess | undefined;
  const destroy = async () => {
    if (ferret) await stop(ferret, "SIGTERM");
    if (postgres) await stop(postgres, "SIGINT");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync(join(binDir, "initdb"), ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], { ...as, stdio: ["ignore", "ignore", "pipe"], cwd: dir });
    const pgPort = await freePort();
    const settings = ["listen_addresses=127.0.0.1", "fsync=off", "synchronous_commit=off", "full_page_writes=off", `unix_socket_directories=${dir}`];
    postgres = spawn(join(binDir, "postgres"), ["-D", join(dir, "data"), "-p", String(pgPort), ...settings.flatMap((s) => ["-c", s])], { ...as, cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    await waitForChildPort(pgPort, postgres, "postgres");
    const version = /\d+(\.\d+)*/.exec(execFileSync(join(binDir, "postgres"), ["--version"], { encoding: "utf8" }))?.[0] ?? "unknown version";
    const port = await freePort();
    // The `postgres` database exists after initdb; FerretDB keeps its own schemas inside it.
    ferret = spawn(
      ferretDbBinary(),
      [
        "--handler=postgresql",
        `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/postgres`,
        `--listen-addr=127.0.0.1:${port}`,
        "--debug-addr=-",
        "--telemetry=disable",
        `--state-dir=${dir}`,
        "--log-level=error",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    await waitForChildPort(port, ferret, "ferretdb");
    return { uri: `mongodb://127.0.0.1:${port}/`, description: `FerretDB v1.24.2 (PostgreSQL ${version})`, destroy };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** PostgreSQL will not run as root: then run it as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error("the bench runs as root and PostgreSQL refuses root: create a `postgres` system user, or run the bench as another user");
  }
}

/** Waits for a child process to listen, failing with its exit code and the tail of its stderr. */
async function waitForChildPort(port: number, child: ChildProcess, name: string): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  await waitForPort(port, {
    name,
    timeoutMs: 30_000,
    failed: () => (child.exitCode !== null ? `${name} exited with ${child.exitCode}: ${stderr.slice(-2000)}` : undefined),
    detail: () => `: ${stderr.slice(-2000)}`,
  });
}

/** SIGINT is PostgreSQL's fast shutdown (it cleans up its shared memory); SIGKILL if it hangs. */
async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  });
}
