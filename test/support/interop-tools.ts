import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";

/** Runs scripts/install-interop.sh (skips what is present) and returns the cache folder. */
export function installInteropTools(): string {
  const script = new URL("../../scripts/install-interop.sh", import.meta.url).pathname;
  return execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/** Paths inside the cache folder that install-interop.sh fills. */
export function interopPaths(cache: string) {
  return {
    python: join(cache, "python-interop", "bin", "python"),
    upstreamSdk: join(cache, "upstream", "gitpod-sdk==1.2.0"),
    grpcurl: join(cache, "bin", "grpcurl"),
    protocGenGo: join(cache, "bin", "protoc-gen-go"),
    bin: join(cache, "bin"),
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after timeoutMs) and collects its output. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A program that exits without reading its input closes the pipe: EPIPE here is no failure
    // (its exit code and output tell), so it must not surface as an unhandled error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** The closing line of Python's unittest ("Ran N tests") as a number, for the pass counts. */
export function unittestCount(stderr: string): number {
  const match = /^Ran (\d+) tests? in/m.exec(stderr);
  return match ? Number(match[1]) : 0;
}
