import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ferretDbBinary, freePort } from "../support/ferretdb.js";

/** Helpers of the security suite: real processes, certificates, a FerretDB that can be frozen. */

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Builds dist/ when a file of src/ or gen/ is newer than it, so the real process runs this code. */
export function ensureBuilt(): void {
  const main = join(root, "dist/src/main.js");
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = join(dir, e.name);
      return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (Math.max(newest(join(root, "src")), newest(join(root, "gen"))) > built) {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  }
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib) * 1024;
}

/** A self-signed certificate for localhost made by openssl, in a fresh folder. */
export function makeCertificate(): { certFile: string; keyFile: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "security-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost"], {
    stdio: "ignore",
  });
  return { certFile, keyFile, dir };
}

/**
 * Opens a raw TCP connection, lets `act` write to it, and resolves how long after the start the
 * server closed it (or rejects once `limitMs` passed with the connection still open).
 */
export function closedAfter(port: number, limitMs: number, act: (socket: net.Socket) => void = () => undefined, localAddress?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ port, host: "127.0.0.1", ...(localAddress ? { localAddress } : {}) }, () => act(socket));
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after ${limitMs} ms`));
    }, limitMs);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** Writes `bytes` one at a time, `everyMs` apart, while the socket is open. */
export function drip(socket: net.Socket, bytes: Buffer, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= bytes.length) return clearInterval(timer);
    socket.write(bytes.subarray(i, ++i));
  }, everyMs);
  socket.once("close", () => clearInterval(timer));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A FerretDB of the test's own whose process can be frozen (SIGSTOP) and thawed (SIGCONT). */
export interface FreezableFerretDb {
  uri: string;
  /** Sends SIGSTOP and resolves once the kernel reports the process stopped. */
  freeze(): Promise<void>;
  thaw(): void;
  destroy(): Promise<void>;
}

export async function startFreezableFerretDb(): Promise<FreezableFerretDb> {
  const dir = mkdtempSync(join(tmpdir(), "ferretdb-freeze-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    ferretDbBinary(),
    ["--handler=sqlite", `--sqlite-url=file:${dir}/`, `--listen-addr=127.0.0.1:${port}`, "--debug-addr=-", "--telemetry=disable", `--state-dir=${dir}`, "--log-level=error"],
    { stdio: "ignore" },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("FerretDB did not start");
    await sleep(100);
  }
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    async freeze() {
      child.kill("SIGSTOP");
      // Delivery is asynchronous: a query sent at once was still answered (17 ms) in one run.
      const deadline = Date.now() + 5000;
      while (readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.[0] !== "T") {
        if (Date.now() > deadline) throw new Error("FerretDB did not stop");
        await sleep(10);
      }
    },
    thaw: () => child.kill("SIGCONT"),
    async destroy() {
      if (child.exitCode === null) {
        child.kill("SIGCONT");
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
