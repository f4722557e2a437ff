/** One sample of a scrape. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ParsedMetrics {
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly ParsedSample[];
  /** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/;

/**
 * A strict parser of the Prometheus text format (0.0.4), written from the format's description:
 * every sample must belong to a family declared by `# TYPE`, labels must be well formed and
 * escaped, values must be numbers. Throws on anything else, so a malformed exposition fails tests.
 */
export function parsePrometheus(text: string): ParsedMetrics {
  const types = new Map<string, string>();
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!name || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? ''))
        throw new Error(`bad TYPE line: ${line}`);
      if (types.has(name)) throw new Error(`family declared twice: ${name}`);
      types.set(name, type as string);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`malformed sample line: ${line}`);
    const name = match[1] as string;
    if (!types.has(name)) throw new Error(`sample before its # TYPE: ${line}`);
    samples.push({ name, labels: parseLabels(match[3] ?? '', line), value: parseValue(match[4] as string, line) });
  }
  const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return { types, samples, value };
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = LABEL.exec(rest);
    if (!match) throw new Error(`malformed labels: ${line}`);
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(match[0].length);
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value: ${line}`);
  return value;
}

/** GET /metrics on a metrics port, parsed; fails on a non-200 or a wrong content type. */
export async function scrape(metricsPort: number | undefined): Promise<ParsedMetrics> {
  if (!metricsPort) throw new Error('the server runs without a metrics port');
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain; version=0.0.4')) throw new Error(`unexpected content type ${type}`);
  return parsePrometheus(await response.text());
}
