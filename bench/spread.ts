/**
 * A figure measured once per round, summarised so that a verdict is never read from one lucky or
 * unlucky round: the median decides, min and max show how far the rounds disagree.
 */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("spreadOf needs at least one value");
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { min: v[0]!, median, max: v[v.length - 1]! };
}

/** `0.97 (0.91–1.02)`: the median, then the range over rounds. */
export function formatSpread(s: Spread, digits = 2): string {
  if (!Number.isFinite(s.median)) return "–";
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}
