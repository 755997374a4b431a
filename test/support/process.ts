import { spawn, type ChildProcess } from "node:child_process";

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the service as its users do (a real process) and resolves once its start-up line is
 * out; rejects with the output when it exits or stays silent for too long.
 */
export async function startServiceProcess(command: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000): Promise<ServiceProcess> {
  // A process group of its own, so that stop() reaches the server even behind `npm start`.
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`no start-up line within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes("scim-config-service listening on")) {
        clearTimeout(timer);
        // The development key block follows the start-up line in the same tick or the next.
        setTimeout(resolve, 100);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          /* the group is gone already */
        }
      }
      return exited;
    },
  };
}
