/**
 * Ours against the baseline, interleaved round by round: each round runs both sides back to back
 * (alternating which goes first), so noise from other work on the machine hits both alike, and
 * each round yields its own ours/baseline ratio. The verdict is read from the median ratio.
 */
import type { ChildProcess } from "node:child_process";
import { runLoad, resetPeakRss, rssMb } from "./processes.js";
import type { LoadResult, LoadSpec } from "./protocol.js";
import { spreadOf, type Spread } from "./spread.js";

export interface Side {
  /** The server process under load (for its peak RSS). */
  process: ChildProcess;
  /** The load to drive it with. */
  spec: LoadSpec;
}

export interface CompareOptions {
  /** Rounds of ours + baseline; at least 5 for a median that one odd round cannot move. */
  rounds: number;
  /** Seconds of load per side per round. */
  roundSeconds: number;
  /** Seconds of unmeasured load per side first (JIT, connection pools). */
  warmupSeconds: number;
}

export interface Comparison {
  /** Per round, in order. */
  ours: LoadResult[];
  base: LoadResult[];
  /** ours / baseline throughput, one value per round. */
  rpsRatio: Spread;
  /** ours / baseline p99 latency, one value per round. */
  p99Ratio: Spread;
  oursRps: Spread;
  baseRps: Spread;
  oursP50: Spread;
  baseP50: Spread;
  oursP99: Spread;
  baseP99: Spread;
  oursRssMb: number;
  baseRssMb: number;
  /** Our transport errors plus non-2xx answers, over all rounds: any makes the run fail. */
  oursFailed: number;
  /** The baseline's, reported but not failing the run (it is not the code under test). */
  baseFailed: number;
  /** Per round, the results of the extra sides (RoundsOptions.others), by name. */
  others: Record<string, LoadResult[]>;
}

export async function compare(ours: Side, base: Side, options: CompareOptions): Promise<Comparison> {
  const timed = (side: Side): RoundSide => ({
    process: side.process,
    warmup: { ...side.spec, durationS: options.warmupSeconds } as LoadSpec,
    round: () => ({ ...side.spec, durationS: options.roundSeconds }) as LoadSpec,
  });
  return compareRounds(timed(ours), timed(base), { rounds: options.rounds, peakRssFrom: "warm-up" });
}

/** One side of compareRounds: the loads it runs, which may differ from round to round. */
export interface RoundSide {
  process: ChildProcess;
  /** Run once before the rounds, unmeasured. */
  warmup?: LoadSpec;
  /** The load of round `round` (0-based). */
  round: (round: number) => LoadSpec;
}

export interface RoundsOptions {
  rounds: number;
  /**
   * More sides run in the same rounds (e.g. a second baseline), so that a ratio between any two
   * sides is taken under the same noise; the order within a round rotates over all the sides.
   */
  others?: Record<string, RoundSide>;
  /** Peak RSS since the end of the warm-up, or since the server process started. */
  peakRssFrom: "warm-up" | "start";
  /** Before each round, both sides idle (e.g. fresh collections for each round). */
  beforeRound?: (round: number) => Promise<void>;
  /** After each load, its side idle (progress, checks of what the load stored); label "ours", "base" or an extra side's name. */
  afterLoad?: (label: string, round: number, result: LoadResult) => void | Promise<void>;
}

/**
 * The rounds of `compare`, with any loads: each round runs every side, rotating which goes first
 * (with two sides: alternating).
 */
export async function compareRounds(ours: RoundSide, base: RoundSide, options: RoundsOptions): Promise<Comparison> {
  const sides: [string, RoundSide][] = [["ours", ours], ["base", base], ...Object.entries(options.others ?? {})];
  for (const [, side] of sides) if (side.warmup) await runLoad(side.warmup);
  if (options.peakRssFrom === "warm-up") for (const [, side] of sides) resetPeakRss(side.process);
  const results = new Map<string, LoadResult[]>(sides.map(([label]) => [label, []]));
  for (let round = 0; round < options.rounds; round++) {
    await options.beforeRound?.(round);
    const first = round % sides.length;
    for (const [label, side] of [...sides.slice(first), ...sides.slice(0, first)]) {
      const result = await runLoad(side.round(round));
      results.get(label)!.push(result);
      await options.afterLoad?.(label, round, result);
    }
  }
  const o = results.get("ours")!;
  const b = results.get("base")!;
  const of = (rs: LoadResult[], f: (r: LoadResult) => number) => spreadOf(rs.map(f));
  return {
    ours: o,
    base: b,
    rpsRatio: spreadOf(o.map((r, i) => r.rps / b[i]!.rps)),
    p99Ratio: p99RatioOf(o, b),
    oursRps: of(o, (r) => r.rps),
    baseRps: of(b, (r) => r.rps),
    oursP50: of(o, (r) => r.p50Ms),
    baseP50: of(b, (r) => r.p50Ms),
    oursP99: of(o, (r) => r.p99Ms),
    baseP99: of(b, (r) => r.p99Ms),
    oursRssMb: rssMb(ours.process),
    baseRssMb: rssMb(base.process),
    oursFailed: o.reduce((n, r) => n + r.errors + r.failures, 0),
    baseFailed: b.reduce((n, r) => n + r.errors + r.failures, 0),
    others: Object.fromEntries(sides.slice(2).map(([label]) => [label, results.get(label)!])),
  };
}

/**
 * The p99 ratio over the rounds whose baseline p99 the load generator could resolve (1 ms steps):
 * on the memory store both sides often read 0 ms, and 0/0 or 1/0 is no ratio. With no such round
 * the spread is NaN, printed as "–" (and a p99 target on it is missed, not guessed).
 */
export function p99RatioOf(o: readonly LoadResult[], b: readonly LoadResult[]): Spread {
  const ratios: number[] = [];
  for (let i = 0; i < o.length; i++) if (b[i]!.p99Ms > 0) ratios.push(o[i]!.p99Ms / b[i]!.p99Ms);
  return ratios.length > 0 ? spreadOf(ratios) : { min: Number.NaN, median: Number.NaN, max: Number.NaN };
}
