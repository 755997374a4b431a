/**
 * `npm run bench`: starts FerretDB (or uses MONGODB_URI), the service and a bare baseline, and
 * drives both with a load generator in a separate process, interleaved round by round so that
 * noise from other work on the machine hits both alike. Prints a table, writes bench/results.md
 * and exits 1 when a target is missed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { encodeCursor } from "../src/domain/pagination.js";
import { generateToken, API_KEY } from "../src/domain/secret-token.js";
import { startFerretDb, type RunningFerretDb } from "../test/support/ferretdb.js";
import { READY_PREFIX, type BaselineReady, type LoadResult, type LoadSpec, type OursReady } from "./protocol.js";
import { seedBulk, seedThroughStore } from "./seed.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const WARMUP_S = 2;
const CONNECTIONS = 16;
const GROWTH_SIZE = Number(process.env.BENCH_GROWTH_SIZE ?? 100_000);
const GROWTH_SAMPLES = 3;
const dist = new URL(".", import.meta.url).pathname;

interface Target {
  label: string;
  /** Service process (for peak RSS). */
  process: ChildProcess;
  spec: LoadSpec;
}

interface Row {
  scenario: string;
  ours: LoadResult;
  base: LoadResult | undefined;
  oursRssMb: number;
  baseRssMb: number | undefined;
  /** Human-readable target and whether it was met; undefined when informational. */
  target: string | undefined;
  met: boolean | undefined;
}

const children: ChildProcess[] = [];
let ferret: RunningFerretDb | undefined;

async function main(): Promise<number> {
  const started = new Date();
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    log("starting FerretDB");
    ferret = await startFerretDb();
    uri = ferret.uri;
  }
  const organizationId = randomUUID();
  const apiKey = generateToken(API_KEY);
  const mainDb = `bench_${Date.now()}`;
  const growthDb = `${mainDb}_growth`;

  log("seeding 200 configurations");
  const { ids, token } = await seedThroughStore(uri, mainDb, organizationId, 200);
  log(`seeding ${GROWTH_SIZE} configurations of one organization`);
  const growthIds = await seedBulk(uri, growthDb, organizationId, GROWTH_SIZE);

  const env = { MONGODB_URI: uri, INIT_ORGANIZATION_ID: organizationId, INIT_ADMIN_API_KEY: apiKey, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent" };
  // One after the other: FerretDB drops connections when two clients create indexes at once.
  const ours = await startChild<OursReady>("ours-server.js", { ...env, MONGODB_DB: mainDb });
  const base = await startChild<BaselineReady>("baseline-server.js", { ...env, MONGODB_DB: mainDb });
  const oursGrowth = await startChild<OursReady>("ours-server.js", { ...env, MONGODB_DB: growthDb, DB_TIMEOUT_MS: "120000" });
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
    durationS: ROUND_S,
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

  const rows: Row[] = [];
  const pair = async (scenario: string, o: LoadSpec, b: LoadSpec, target: { rps: number; p99?: number } | undefined) => {
    log(scenario);
    const result = await compare({ label: "ours", process: ours.child, spec: o }, { label: "baseline", process: base.child, spec: b });
    const rpsRatio = result.ours.rps / result.base.rps;
    const p99Ratio = result.ours.p99Ms / result.base.p99Ms;
    const met = target ? rpsRatio >= target.rps && (target.p99 === undefined || p99Ratio <= target.p99) : undefined;
    const text = target ? `rps ≥ ${target.rps}×${target.p99 ? `, p99 ≤ ${target.p99}×` : ""}` : undefined;
    rows.push({ scenario, ...result, target: text, met });
  };

  await pair("GetSCIMConfiguration, Connect JSON, HTTP/1.1", http(rpc(oursUrl, "GetSCIMConfiguration"), auth, getBody), http(rpc(baseH1, "GetSCIMConfiguration"), json, getBody), { rps: 0.8, p99: 1.3 });
  await pair("ListSCIMConfigurations (25), Connect JSON, HTTP/1.1", http(rpc(oursUrl, "ListSCIMConfigurations"), auth, listBody), http(rpc(baseH1, "ListSCIMConfigurations"), json, listBody), { rps: 0.8, p99: 1.3 });
  await pair("GetSCIMConfiguration, gRPC, h2c", grpc(oursUrl, "get", apiKey), grpc(baseH2, "get"), { rps: 0.8, p99: 1.3 });
  await pair("ListSCIMConfigurations (25), gRPC, h2c", grpc(oursUrl, "list", apiKey), grpc(baseH2, "list"), { rps: 0.8, p99: 1.3 });
  await pair(
    "SCIM token verification: GET /scim/v2/ServiceProviderConfig vs bare findOne by hash",
    http(`${oursUrl}/scim/v2/ServiceProviderConfig`, { authorization: `Bearer ${token}` }, [""], CONNECTIONS, "GET"),
    http(`${baseH1}/verify`, { authorization: `Bearer ${token}` }, [""], CONNECTIONS, "GET"),
    { rps: 0.9 },
  );
  // 32 clients, each on its own configuration (not the one whose token the verification uses).
  const regenerateBodies = ids.slice(2, 34).map((id) => JSON.stringify({ scimConfigurationId: id }));
  await pair(
    "RegenerateSCIMToken, 32 clients on distinct configurations",
    http(rpc(oursUrl, "RegenerateSCIMToken"), auth, regenerateBodies, 32),
    http(rpc(baseH1, "RegenerateSCIMToken"), json, regenerateBodies, 32),
    undefined,
  );

  log(`growth: first page vs a page 90% deep into ${GROWTH_SIZE} configurations`);
  const growthUrl = rpc(`http://127.0.0.1:${oursGrowth.ready.port}`, "ListSCIMConfigurations");
  const page = (cursor: string | undefined): LoadSpec => ({
    kind: "http",
    url: growthUrl,
    headers: auth,
    bodies: [JSON.stringify({ pagination: { pageSize: 25, ...(cursor ? { token: cursor } : {}) } })],
    connections: 1,
    amount: GROWTH_SAMPLES,
    timeoutS: 120,
  });
  const deepIndex = Math.min(growthIds.length - 2, Math.floor(growthIds.length * 0.9));
  const deepCursor = encodeCursor(growthIds[deepIndex]!);
  await runLoad({ ...page(undefined), amount: 1 } as LoadSpec); // warm-up
  const first = await runLoad(page(undefined));
  const deep = await runLoad(page(deepCursor));
  const growthRatio = deep.p50Ms / first.p50Ms;
  rows.push({
    scenario: `ListSCIMConfigurations (25) deep page (after item ${(deepIndex + 1).toLocaleString("en")} of ${GROWTH_SIZE.toLocaleString("en")}) vs first page`,
    ours: deep,
    base: first,
    oursRssMb: rssMb(oursGrowth.child),
    baseRssMb: undefined,
    target: "deep p50 ≤ 1.5× first page",
    met: growthRatio <= 1.5 && deep.failures === 0 && first.failures === 0,
  });

  const table = render(rows, started);
  process.stdout.write("\n" + table + "\n");
  writeFileSync(new URL("./results.md", `file://${process.cwd()}/bench/`), table);
  log("wrote bench/results.md");
  const failed = rows.some((r) => r.met === false || r.ours.failures > 0 || r.ours.errors > 0);
  if (failed) log("a target was missed (or requests failed): exit 1");
  return failed ? 1 : 0;
}

/** Warm-up, then ROUNDS rounds alternating which side goes first; median of each figure. */
async function compare(ours: Target, base: Target): Promise<{ ours: LoadResult; base: LoadResult; oursRssMb: number; baseRssMb: number }> {
  for (const t of [ours, base]) await runLoad(withDuration(t.spec, WARMUP_S));
  resetPeakRss(ours.process);
  resetPeakRss(base.process);
  const results: Record<string, LoadResult[]> = { ours: [], baseline: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of round % 2 === 0 ? [ours, base] : [base, ours]) results[t.label]!.push(await runLoad(t.spec));
  }
  return { ours: median(results.ours!), base: median(results.baseline!), oursRssMb: rssMb(ours.process), baseRssMb: rssMb(base.process) };
}

function withDuration(spec: LoadSpec, durationS: number): LoadSpec {
  return { ...spec, durationS } as LoadSpec;
}

function median(results: LoadResult[]): LoadResult {
  const mid = (f: (r: LoadResult) => number) => {
    const v = results.map(f).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)]!;
  };
  const sum = (f: (r: LoadResult) => number) => results.reduce((s, r) => s + f(r), 0);
  return { requests: sum((r) => r.requests), seconds: sum((r) => r.seconds), rps: mid((r) => r.rps), p50Ms: mid((r) => r.p50Ms), p99Ms: mid((r) => r.p99Ms), errors: sum((r) => r.errors), failures: sum((r) => r.failures) };
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawn(process.execPath, [`${dist}load-worker.js`, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load worker exited with ${code}`);
  return JSON.parse(out.trim().split("\n").pop()!) as LoadResult;
}

async function startChild<T>(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; ready: T }> {
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

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) of the process. */
function resetPeakRss(child: ChildProcess): void {
  try {
    writeFileSync(`/proc/${child.pid}/clear_refs`, "5");
  } catch {
    /* not Linux, or not allowed: the peak then covers the whole run */
  }
}

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function render(rows: Row[], started: Date): string {
  const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : "–");
  const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
  const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
  const lines = [
    `# Benchmark results`,
    ``,
    `${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ` +
      `${process.env.MONGODB_URI ? "MongoDB at MONGODB_URI" : "FerretDB v1.24.2 (SQLite)"}; ${CONNECTIONS} connections (HTTP/1.1) or concurrent calls on one ` +
      `HTTP/2 session (gRPC), ${ROUNDS} interleaved rounds of ${ROUND_S} s after a ${WARMUP_S} s warm-up, medians of the rounds. ` +
      `Latency in ms, peak RSS of the server process in MiB.`,
    ``,
    `| scenario | ours req/s | baseline req/s | ratio | ours p50 | baseline p50 | ours p99 | baseline p99 | p99 ratio | ours RSS | baseline RSS | target | met |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|`,
  ];
  for (const r of rows) {
    const b = r.base;
    lines.push(
      `| ${r.scenario} | ${f0(r.ours.rps)} | ${b ? f0(b.rps) : "–"} | ${b ? f2(r.ours.rps / b.rps) : "–"} | ${f1(r.ours.p50Ms)} | ${b ? f1(b.p50Ms) : "–"} | ` +
        `${f1(r.ours.p99Ms)} | ${b ? f1(b.p99Ms) : "–"} | ${b ? f2(r.ours.p99Ms / b.p99Ms) : "–"} | ${f0(r.oursRssMb)} | ${r.baseRssMb === undefined ? "–" : f0(r.baseRssMb)} | ` +
        `${r.target ?? "(informational)"} | ${r.met === undefined ? "" : r.met ? "yes" : "**no**"} |`,
    );
  }
  lines.push(
    ``,
    `The growth row compares the service with itself: "ours" is the deep page, "baseline" the first page ` +
      `(${GROWTH_SAMPLES} sequential requests each; the ratio column is deep/first throughput).`,
  );
  return lines.join("\n") + "\n";
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function cleanup(): Promise<void> {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
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
