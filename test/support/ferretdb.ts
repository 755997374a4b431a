import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningFerretDb {
  uri: string;
  port: number;
  /** Stops the server (the data folder stays, so start() again resumes it). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder (for fault tests). */
  start(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

/** Builds FerretDB once into the cache folder (see scripts/install-ferretdb.sh) and returns its path. */
export function ferretDbBinary(): string {
  // Two levels up from test/support, three when compiled into dist/ (the bench runs from there).
  const candidates = ["../../scripts/install-ferretdb.sh", "../../../scripts/install-ferretdb.sh"].map((p) => new URL(p, import.meta.url).pathname);
  const script = candidates.find((p) => existsSync(p)) ?? candidates[0]!;
  return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts FerretDB (SQLite backend) on a free loopback port with a fresh data folder. */
export async function startFerretDb(): Promise<RunningFerretDb> {
  const bin = ferretDbBinary();
  const dir = mkdtempSync(join(tmpdir(), "ferretdb-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      bin,
      [
        "--handler=sqlite",
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${port}`,
        "--debug-addr=-",
        "--telemetry=disable",
        `--state-dir=${dir}`,
        "--log-level=error",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await waitForPort(port, { name: "ferretdb", timeoutMs: 20_000, failed: () => (child?.exitCode !== null ? `ferretdb exited: ${stderr}` : undefined) });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
      setTimeout(() => c.kill("SIGKILL"), 5000).unref();
    });
  };
  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How waitForPort waits: for what (named in its errors), how long, and when to give up early. */
export interface PortWait {
  name: string;
  timeoutMs: number;
  /** Why to stop waiting at once (the process exited), else undefined. */
  failed: () => string | undefined;
  /** Appended to the timeout error (say, the tail of the process's stderr). */
  detail?: () => string;
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port: number, wait: PortWait): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const why = wait.failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${wait.name} did not listen on ${port} within ${wait.timeoutMs} ms${wait.detail?.() ?? ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
