import type { Registry } from "prom-client";

interface Series {
  labels: Record<string, string>;
  value: number;
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** What prom-client's Registry reads of a metric (the shape its own metrics return from get()). */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Record<string, string>;
}

/*
 * A counter and a histogram for the metrics recorded on every request, registered in
 * prom-client's registry beside its own metrics and written out by it in the same text format.
 *
 * Why not prom-client's Counter and Histogram here: each of their `inc`/`observe` calls copies
 * the label object, checks every label name against the list, and builds a hash string of
 * the labels to find the series (profiled under the bench's Get load: ~5 us and ~1.4 KB per
 * request for the four observations a request makes, more than the rest of the metrics
 * together). These find a series by its label values, in the order of `labelNames`, through one
 * map per label, keyed by strings the code already holds (procedure names, codes), and add to
 * numbers. Labels come from the code's own small sets (see metrics.ts), so nothing is validated
 * per call. Everything else (formatting, escaping, the content type) stays prom-client's.
 */
abstract class LabelledMetric<S extends { labels: Record<string, string> }> {
  private readonly root = new Map<string, unknown>();
  protected readonly all: S[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  protected abstract create(labels: Record<string, string>): S;

  /** The series of these label values (given in labelNames' order), made on first use. */
  protected seriesOf(values: readonly string[]): S {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) node.set(values[i]!, (next = new Map()));
      node = next;
    }
    let series = node.get(values[last]!) as S | undefined;
    if (!series) {
      if (values.length !== this.labelNames.length) throw new TypeError(`${this.name} takes the labels ${this.labelNames.join(", ")}`);
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      series = this.create(labels);
      node.set(values[last]!, series);
      this.all.push(series);
    }
    return series;
  }

  /** What Registry.resetMetrics() calls. */
  reset(): void {
    this.root.clear();
    this.all.length = 0;
  }
}

export class LabelledCounter extends LabelledMetric<Series> {
  readonly type = "counter";
  readonly aggregator = "sum";

  protected create(labels: Record<string, string>): Series {
    return { labels, value: 0 };
  }

  /** Adds `by` (0 creates the series, so that rate() works before the first event). */
  inc(values: readonly string[], by = 1): void {
    this.seriesOf(values).value += by;
  }

  get(): Promise<{ name: string; help: string; type: "counter"; aggregator: "sum"; values: MetricValue[] }> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.all.map((s) => ({ labels: s.labels, value: s.value })) });
  }
}

export class LabelledHistogram extends LabelledMetric<HistogramSeries> {
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(name: string, help: string, labelNames: readonly string[], private readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  observe(values: readonly string[], value: number): void {
    if (!Number.isFinite(value)) return;
    const series = this.seriesOf(values);
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: MetricValue[] }> {
    // The layout prom-client's Histogram writes: cumulative buckets with `le` first, then +Inf, sum and count.
    const values: MetricValue[] = [];
    for (const s of this.all) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ labels: { le: this.buckets[i]! }, sharedLabels: s.labels, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: "+Inf" }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
