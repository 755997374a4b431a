import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One sample line: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  /** Family name → type (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  /** The value of the one sample with exactly these labels (0 when there is none). */
  value(name: string, labels?: Record<string, string>): number;
  /** The sum over every sample of `name` whose labels include `labels`. */
  sum(name: string, labels?: Record<string, string>): number;
  /** The samples of `name` whose labels include `labels`. */
  select(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
/** A float as Go's strconv.ParseFloat reads it, which is what the format specifies (so "Nan" and "+inf" too). */
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i;

/**
 * Parses Prometheus text format (0.0.4) strictly, throwing on the first line that breaks the
 * format's rules: names and label names by the grammar, label values escaped (only \\, \" and \n),
 * at most one TYPE and HELP per family and before its samples, each family's lines together,
 * sample names that belong to their family's type (histograms: _bucket with `le`, _sum, _count),
 * no series twice, and histograms consistent (buckets cumulative in `le` order, +Inf equal to
 * _count). The same text also goes through the npm `parse-prometheus-text-format` parser (a port
 * of the Python client's), which must see the same families.
 */
export function parsePrometheusText(text: string): ParsedMetrics {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  const samples: Sample[] = [];
  let current: string | undefined;
  const enter = (family: string, line: string) => {
    if (family === current) return;
    if (finished.has(family)) throw new Error(`family ${family} appears in two places: ${line}`);
    if (current !== undefined) finished.add(current);
    current = family;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      enter(name, line);
      if (kind === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) throw new Error(`bad type in: ${line}`);
        if (types.has(name)) throw new Error(`second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name)) throw new Error(`TYPE after samples of ${name}`);
        types.set(name, rest);
      } else {
        if (helps.has(name)) throw new Error(`second HELP for ${name}`);
        if (/\\(?![\\n])/.test(rest)) throw new Error(`bad escape in HELP: ${line}`);
        helps.add(name);
      }
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    if (!VALUE.test(valueText)) throw new Error(`bad value in: ${line}`);
    const labels = parseLabels(labelText ?? "", line);
    const family = familyOf(name, types);
    enter(family, line);
    const type = types.get(family) ?? "untyped";
    if (type === "histogram") {
      if (!/_(bucket|sum|count)$/.test(name)) throw new Error(`histogram ${family} has a sample named ${name}`);
      if (name.endsWith("_bucket") !== ("le" in labels)) throw new Error(`le belongs on buckets only: ${line}`);
    } else if (name !== family && !(type === "summary" && /_(sum|count)$/.test(name))) {
      throw new Error(`sample ${name} does not belong to a ${type} family`);
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`series twice: ${line}`);
    seen.add(key);
    samples.push({ name, labels, value: parseGoFloat(valueText) });
  }
  checkHistograms(samples, types);
  checkAgainstLibrary(text, types, samples);

  const includes = (s: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  const select = (name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && includes(s, labels));
  return {
    samples,
    types,
    select,
    value: (name, labels = {}) => {
      const exact = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && includes(s, labels));
      if (exact.length > 1) throw new Error(`several samples of ${name} with ${JSON.stringify(labels)}`);
      return exact[0]?.value ?? 0;
    },
    sum: (name, labels = {}) => select(name, labels).reduce((n, s) => n + s.value, 0),
  };
}

/** A sample's family: its own name, or without the histogram/summary suffix when that family is declared so. */
function familyOf(name: string, types: Map<string, string>): string {
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return base !== name && (types.get(base) === "histogram" || types.get(base) === "summary") ? base : name;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== "") {
    const m = /^([^=,"]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
    if (!m) throw new Error(`bad labels in: ${line}`);
    const [whole, name, raw] = m as unknown as [string, string, string];
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${name} in: ${line}`);
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    if (/\\[^\\"n]/.test(raw)) throw new Error(`bad escape in label value: ${line}`);
    labels[name] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

function checkHistograms(samples: Sample[], types: Map<string, string>): void {
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const series = new Map<string, { buckets: [number, number][]; count?: number }>();
    for (const s of samples) {
      if (familyOf(s.name, types) !== family) continue;
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      const entry = series.get(key) ?? { buckets: [] };
      series.set(key, entry);
      if (s.name.endsWith("_bucket")) entry.buckets.push([le === "+Inf" ? Infinity : Number(le), s.value]);
      if (s.name.endsWith("_count")) entry.count = s.value;
    }
    for (const [key, { buckets, count }] of series) {
      for (let i = 1; i < buckets.length; i++) {
        if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${family}${key}: buckets not in ascending le order`);
        if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${family}${key}: buckets not cumulative`);
      }
      const inf = buckets.at(-1);
      if (!inf || inf[0] !== Infinity) throw new Error(`${family}${key}: no +Inf bucket`);
      if (inf[1] !== count) throw new Error(`${family}${key}: +Inf bucket ${inf[1]} is not _count ${count}`);
    }
  }
}

/** Every family with samples must come out of the library's parser too, with the same type. */
function checkAgainstLibrary(text: string, types: Map<string, string>, samples: Sample[]): void {
  const theirs = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f.type.toLowerCase()]));
  const withSamples = new Set(samples.map((s) => familyOf(s.name, types)));
  for (const name of withSamples) {
    const type = types.get(name) ?? "untyped";
    if (theirs.get(name) !== type) throw new Error(`parse-prometheus-text-format reads ${name} as ${theirs.get(name)}, not ${type}`);
  }
}

function parseGoFloat(text: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  return Number(text);
}
