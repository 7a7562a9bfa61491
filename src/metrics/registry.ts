/**
 * A small Prometheus registry: counters, gauges and histograms with labels, and the text
 * exposition format (version 0.0.4). Gauges that describe stored state are filled by collectors
 * at scrape time, so every instance reports the same truth from the database.
 */

type Labels = Record<string, string>;

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
};
const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}
  abstract lines(): string[];
  header(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
  }
}

export class Counter extends Metric {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const entry = this.#values.get(k) ?? { labels, value: 0 };
    entry.value += by;
    this.#values.set(k, entry);
  }
  lines(): string[] {
    return [...this.#values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`);
  }
}

export class Gauge extends Metric {
  #values = new Map<string, { labels: Labels; value: number }>();
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.#values.set(key(labels), { labels, value });
  }
  /** Replaces every series (collectors call this with a fresh snapshot). */
  reset(): void {
    this.#values = new Map();
  }
  lines(): string[] {
    return [...this.#values.values()].map((e) => `${this.name}${labelText(e.labels)} ${e.value}`);
  }
}

export class Histogram extends Metric {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }
  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let series = this.#series.get(k);
    if (!series) this.#series.set(k, (series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series!.counts[i]!++;
    });
    series.sum += value;
    series.count++;
  }
  lines(): string[] {
    return [...this.#series.values()].flatMap((s) => [
      ...this.buckets.map((bound, i) => `${this.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${s.counts[i]}`),
      `${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`,
      `${this.name}_sum${labelText(s.labels)} ${s.sum}`,
      `${this.name}_count${labelText(s.labels)} ${s.count}`,
    ]);
  }
}

export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #collectors: (() => Promise<void>)[] = [];

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.#add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }
  /** Runs before every scrape (e.g. reads gauges from the store). */
  collect(fn: () => Promise<void>): void {
    this.#collectors.push(fn);
  }

  async exposition(): Promise<string> {
    await Promise.all(this.#collectors.map((c) => c()));
    return `${this.#metrics.flatMap((m) => [...m.header(), ...m.lines()]).join('\n')}\n`;
  }

  #add<T extends Metric>(metric: T): T {
    this.#metrics.push(metric);
    return metric;
  }
}
