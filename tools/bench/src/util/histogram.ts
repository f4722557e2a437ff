/**
 * A mergeable latency histogram in microseconds: log-linear buckets with 64 steps per power of
 * two (at most 1.6 % error), up to 2^31 µs. Workers send their counts to the orchestrator, which
 * adds them up, so percentiles cover every delivery without shipping each sample.
 */
const SUB_BUCKETS = 64;
const SUB_BITS = 6;
const MAX_SHIFT = 25;
export const BUCKET_COUNT = SUB_BUCKETS * (MAX_SHIFT + 2);
const MAX_US = 2 ** 31 - 1;

export interface HistogramData {
  readonly counts: number[];
  readonly total: number;
  readonly maxUs: number;
  /** Samples below zero (clamped to 0): a sign of clock misalignment between processes. */
  readonly negative: number;
}

export class Histogram {
  readonly #counts = new Float64Array(BUCKET_COUNT);
  #total = 0;
  #maxUs = 0;
  #negative = 0;

  get total(): number {
    return this.#total;
  }

  recordMs(ms: number): void {
    if (ms < 0) this.#negative++;
    const us = Math.min(MAX_US, Math.max(0, Math.round(ms * 1000)));
    this.#counts[bucketOf(us)]!++;
    this.#total++;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  add(data: HistogramData): void {
    data.counts.forEach((count, i) => {
      if (i < BUCKET_COUNT) this.#counts[i]! += count;
    });
    this.#total += data.total;
    this.#negative += data.negative;
    this.#maxUs = Math.max(this.#maxUs, data.maxUs);
  }

  /** The value (ms) at or below which `p` percent of the samples lie; null when empty. */
  percentileMs(p: number): number | null {
    if (this.#total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(valueOf(i), this.#maxUs) / 1000;
    }
    return this.#maxUs / 1000;
  }

  maxMs(): number | null {
    return this.#total === 0 ? null : this.#maxUs / 1000;
  }

  negative(): number {
    return this.#negative;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#maxUs = 0;
    this.#negative = 0;
  }

  /** Sparse enough to send over IPC: trailing zero buckets are cut. */
  toData(): HistogramData {
    let last = BUCKET_COUNT - 1;
    while (last >= 0 && this.#counts[last] === 0) last--;
    return {
      counts: Array.from(this.#counts.subarray(0, last + 1)),
      total: this.#total,
      maxUs: this.#maxUs,
      negative: this.#negative,
    };
  }
}

export function mergeHistograms(parts: readonly HistogramData[]): Histogram {
  const merged = new Histogram();
  for (const part of parts) merged.add(part);
  return merged;
}

function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return us;
  const shift = 31 - Math.clz32(us) - SUB_BITS;
  return SUB_BUCKETS * shift + (us >>> shift);
}

/** The middle of bucket `i` in µs. */
function valueOf(i: number): number {
  if (i < SUB_BUCKETS) return i;
  const shift = Math.floor(i / SUB_BUCKETS) - 1;
  const base = i - SUB_BUCKETS * shift;
  return (base << shift) + ((1 << shift) >>> 1);
}
