/** The bench's child processes: servers it starts once, load workers it runs round by round. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { READY_PREFIX, type LoadResult, type LoadSpec } from "./protocol.js";

const dist = new URL(".", import.meta.url).pathname;
const children: ChildProcess[] = [];

/** Runs one load in a fresh worker process, so the load never shares an event loop with a server. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, [`${dist}load-worker.js`, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load worker exited with ${code}`);
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}

/** Starts a server script of dist/bench and waits for its ready line. */
export async function startChild<T>(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, [`${dist}${script}`], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    lines.on("line", (line) => {
      if (line.startsWith(READY_PREFIX)) resolve(JSON.parse(line.slice(READY_PREFIX.length)) as T);
    });
  });
  return { child, ready };
}

/** Stops one server started by startChild (a row's own servers, once the row is done). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/** Kills every server started by startChild (and only those). */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
}

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) of the process. */
export function resetPeakRss(child: ChildProcess): void {
  try {
    writeFileSync(`/proc/${child.pid}/clear_refs`, "5");
  } catch {
    /* not Linux, or not allowed: the peak then covers the whole run */
  }
}

/** Peak RSS of the process in MiB since the last reset. */
export function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU time (user + system) the process has used so far, in ms (Linux clock ticks of 10 ms). */
export function cpuMs(child: ChildProcess): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Current RSS of the process in MiB. */
export function currentRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
