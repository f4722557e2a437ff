/** Prometheus metric kinds meshpush exposes. */
export type MetricType = 'counter' | 'gauge';

/** The label set of one sample, e.g. `{ app_id: "app-1" }`. */
export type Labels = Readonly<Record<string, string>>;

/** One value of a metric family, for one label set. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One metric name with its help text, its type and one sample per label set. */
export interface MetricFamily {
  /** Without the prefix; `render*` adds it. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NO_LABELS: Labels = Object.freeze({});

export function family(name: string, type: MetricType, help: string, samples: readonly Sample[]): MetricFamily {
  return { name, type, help, samples };
}

/** A family with a single, unlabelled sample. */
export function single(name: string, type: MetricType, help: string, value: number): MetricFamily {
  return { name, type, help, samples: [{ labels: NO_LABELS, value }] };
}

/**
 * The Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then one line per
 * sample, with label values and help text escaped as the format requires.
 */
export function renderText(families: readonly MetricFamily[], prefix: string): string {
  const lines: string[] = [];
  for (const metric of families) {
    const name = prefix + metric.name;
    lines.push(`# HELP ${name} ${escapeHelp(metric.help)}`, `# TYPE ${name} ${metric.type}`);
    for (const sample of metric.samples)
      lines.push(`${name}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.join('\n') + '\n';
}

/** The shape prom-client's `getMetricsAsJSON()` gives (soketi's `/metrics?json=1`). */
export function renderJson(families: readonly MetricFamily[], prefix: string): unknown[] {
  return families.map((metric) => ({
    name: prefix + metric.name,
    help: metric.help,
    type: metric.type,
    values: metric.samples.map((sample) => ({ labels: sample.labels, value: sample.value })),
    aggregator: 'sum',
  }));
}

function renderLabels(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  return `{${names.map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`).join(',')}}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
