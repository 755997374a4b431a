/** The SCIM sections of bench/results.md: provisioning on FerretDB, growth on the memory store, rows to come. */
import type { LaterRow } from "./later-rows.js";
import type { ProvisioningResult } from "./provisioning.js";
import type { ScimGrowthRow } from "./scim-growth.js";
import { formatSpread } from "./spread.js";

export interface ProvisioningTarget {
  /** Least ours/baseline POSTs per second, in the median over rounds. */
  rps: number;
  /** Greatest ours/baseline p99, in the median over rounds. */
  p99: number;
  /** Our service's peak RSS through the run stays under this, MiB. */
  rssMb: number;
  /** Least bare-with-audit / bare-without-audit POSTs per second, in the median over rounds (issue 12). */
  auditRps: number;
}

export type ProvisioningVerdict =
  | { ran: true; result: ProvisioningResult; database: string; target: ProvisioningTarget; throughputMet: boolean; rssMet: boolean; auditMet: boolean }
  /** Not measured (no database it can run on in time): counts as missed. */
  | { ran: false; why: string; target: ProvisioningTarget };

export interface ScimGrowthVerdict {
  row: ScimGrowthRow;
  maxRatio: number;
  met: boolean;
}

const yes = (met: boolean) => (met ? "yes" : "**no**");
const n0 = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : "–");
const count = (n: number) => n.toLocaleString("en");

/** Names of the SCIM targets missed, for the verdict line. */
export function missedScimTargets(provisioning: ProvisioningVerdict, growth: ScimGrowthVerdict[]): string[] {
  const missed: string[] = [];
  if (!provisioning.ran) missed.push("provisioning and the audit entry's cost (not measured)");
  else {
    if (!provisioning.throughputMet) missed.push("provisioning throughput/p99");
    if (!provisioning.rssMet) missed.push("provisioning peak RSS");
    if (!provisioning.auditMet) missed.push("audit entry's cost on POST /Users");
  }
  for (const g of growth) if (!g.met) missed.push(`SCIM growth, ${g.row.operation}`);
  return missed;
}

export function renderProvisioning(p: ProvisioningVerdict, connections: number): string[] {
  const lines = [`## Provisioning: POST /scim/v2/Users against a bare baseline (issue 11)`, ``];
  if (!p.ran) return [...lines, `Not measured: ${p.why}`, ``];
  const { result: r, target: t } = p;
  const c = r.comparison;
  const rounds = c.ours.length;
  lines.push(
    `${count(rounds * r.usersPerRound)} users per side, created by ${connections} concurrent clients in ${rounds} interleaved rounds of ` +
      `${count(r.usersPerRound)} (alternating which side goes first) on ${p.database}, after an unmeasured warm-up. Each side has its own ` +
      `database and server process; ` +
      (r.cumulative
        ? `the collections keep every round's users (BENCH_PROVISION_CUMULATIVE=1), so late rounds write into ${count(rounds * r.usersPerRound)}-document collections that FerretDB scans on every lookup. `
        : `every round starts from fresh \`scim_users\` and \`members\` collections with the service's indexes, because FerretDB scans on every lookup (see below). `) +
      `The baseline is a plain \`node:http\` handler that parses the JSON and sends ` +
      `the database the same commands, checked this run (table below). Bodies: Okta's and Entra ID's documented create requests ` +
      `(enterprise extension, emails, Entra's addresses, phones and manager), each userName new. Ratios are **median (min–max)** over ` +
      `the rounds; POST/s and latency (ms) are medians of the rounds; CPU is each server process's user+system time per POST. ` +
      `The row took ${(r.seconds / 60).toFixed(1)} minutes.`,
    ``,
    `| users per side | ours POST/s | baseline POST/s | POST/s ratio | ours p99 | baseline p99 | p99 ratio | ours p50 | baseline p50 | CPU ms per POST, ours / baseline | target (median) | met |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|`,
    `| ${count(rounds * r.usersPerRound)} | ${n0(c.oursRps.median)} | ${n0(c.baseRps.median)} | ${formatSpread(c.rpsRatio)} | ${c.oursP99.median.toFixed(0)} | ` +
      `${c.baseP99.median.toFixed(0)} | ${formatSpread(c.p99Ratio)} | ${c.oursP50.median.toFixed(0)} | ${c.baseP50.median.toFixed(0)} | ` +
      `${formatSpread(r.oursCpuMsPerPost, 1)} / ${formatSpread(r.baseCpuMsPerPost, 1)} | POST/s ≥ ${t.rps}×, p99 ≤ ${t.p99}× | ${yes(p.throughputMet)} |`,
    ``,
    `Peak RSS of our service from its start through the run: **${r.oursPeakRssMb.toFixed(0)} MiB** (target < ${t.rssMb} MiB: ${yes(p.rssMet)}); ` +
      `after each round: ${r.oursRssAfterRoundMb.map((m) => m.toFixed(0)).join(", ")} MiB. The baseline's peak: ${r.basePeakRssMb.toFixed(0)} MiB.`,
  );
  if (c.oursFailed + c.baseFailed > 0) lines.push(``, `Failed POSTs: ${c.oursFailed} on ours, ${c.baseFailed} on the baseline.`);
  const a = r.audit;
  lines.push(
    ``,
    `### The audit entry's cost (issue 12)`,
    ``,
    `A third server ran in the same rounds: the bare baseline without its audit insert (\`BARE_PROVISIONING_AUDIT=off\`, checked ` +
      `every round: one \`scim.user.create\` entry per user with it, none without). The ratio with / without, round by round, is ` +
      `what writing the audit entry costs a POST, free of everything else the service does.`,
    ``,
    `| bare POST/s with audit | without | POST/s ratio | p99 ratio | CPU ms per POST, with / without | target (median) | met |`,
    `|---:|---:|---:|---:|---:|---|---|`,
    `| ${n0(a.withRps.median)} | ${n0(a.withoutRps.median)} | ${formatSpread(a.rpsRatio)} | ${formatSpread(a.p99Ratio)} | ` +
      `${formatSpread(a.withCpuMsPerPost, 1)} / ${formatSpread(a.withoutCpuMsPerPost, 1)} | with / without ≥ ${t.auditRps}× | ${yes(p.auditMet)} |`,
  );
  lines.push(
    ``,
    `Database commands of one POST /Users (values left out; the same on both sides, checked with the driver's command monitoring ` +
      `before the load), with the BSON bytes each insert writes for the Okta body / the Entra body:`,
    ``,
    `| # | command | ours, bytes | baseline, bytes |`,
    `|---:|---|---:|---:|`,
    ...r.operations.rows.map((o, i) => `| ${i + 1} | \`${o.shape}\` | ${bytes(o.oursBytes)} | ${bytes(o.baseBytes)} |`),
    ``,
  );
  return lines;
}

const bytes = (b: number[]) => (b.every((x) => x === 0) ? "" : b.join(" / "));

export function renderScimGrowth(rows: ScimGrowthVerdict[], rounds: number): string[] {
  return [
    `## Growth of SCIM operations (memory store, in process)`,
    ``,
    `Through the use cases the routes call (\`ScimUsers.list\` with the filter parsed as the route parses it, and the User's groups; ` +
      `\`ScimGroups.patch\` with an add-member PatchOp and withMembers=false, each add undone untimed; \`ScimGroups.get\` with ` +
      `withMembers=false), ms per call, fast calls repeated for at least 0.3 s per measurement; ${rounds} rounds alternating the sizes. ` +
      `Users are seeded through the store's port as ScimUsers.create shapes them (plus 16 outside the group, for the adds); every ` +
      `answer is checked before it is timed. The ratio is large / small, per round.`,
    ``,
    `| operation | small | ms | large | ms | ratio | target (median) | met |`,
    `|---|---|---:|---|---:|---:|---|---|`,
    ...rows.map(
      ({ row, maxRatio, met }) =>
        `| ${row.operation} | ${row.smallLabel} | ${row.smallMs.median.toFixed(4)} | ${row.largeLabel} | ${row.largeMs.median.toFixed(4)} | ${formatSpread(row.ratio)} | ≤ ${maxRatio}× | ${yes(met)} |`,
    ),
    ``,
  ];
}

export function renderLaterRows(rows: readonly LaterRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    `## Rows to come`,
    ``,
    `Not measured yet: the code they measure is not on this branch (bench/later-rows.ts says how each will be measured).`,
    ``,
    `| issue | row | target | needs |`,
    `|---:|---|---|---|`,
    ...rows.map((r) => `| ${r.issue} | ${r.scenario} | ${r.target} | ${r.needs} |`),
    ``,
  ];
}
