/** What both the mesh and the bare pipe carry: the same small payload with a sequence number. */
export const SUBJECT = 'bench';

export function payload(seq: number): { seq: number; event: string; data: string } {
  return { seq, event: 'tick', data: '{"n":1}' };
}

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Counts one burst on the receiving side and checks the order. */
export class BurstCounter {
  count = 0;
  inOrder = true;
  lastAtMs = 0;
  #expected: number;
  readonly #total: number;
  readonly #onDone: (counter: BurstCounter) => void;

  constructor(firstSeq: number, total: number, onDone: (counter: BurstCounter) => void) {
    this.#expected = firstSeq;
    this.#total = total;
    this.#onDone = onDone;
  }

  receive(seq: number): void {
    if (seq !== this.#expected) this.inOrder = false;
    this.#expected = seq + 1;
    if (++this.count === this.#total) {
      this.lastAtMs = nowMs();
      this.#onDone(this);
    }
  }
}

/** The result of one burst, as the receiver reports it. */
export interface BurstResult {
  readonly count: number;
  readonly inOrder: boolean;
  readonly lastAtMs: number;
}
