import { FrameType, frameTypeNames, type FrameTypeName } from './frames.js';

/** Traffic of one route, or of a node (all its routes since start). */
export interface TrafficStats {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  /** Frames received, by frame type (`PUB`, `SUB`, …). */
  readonly framesInByType: Readonly<Record<FrameTypeName, number>>;
  readonly framesOutByType: Readonly<Record<FrameTypeName, number>>;
}

const SLOTS = Math.max(...Object.values(FrameType)) + 1;

/** Counters indexed by frame type number: a route bumps them for every frame. */
export class Traffic {
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  readonly inByType: number[] = new Array<number>(SLOTS).fill(0);
  readonly outByType: number[] = new Array<number>(SLOTS).fill(0);

  add(other: Traffic): void {
    this.bytesIn += other.bytesIn;
    this.bytesOut += other.bytesOut;
    this.framesIn += other.framesIn;
    this.framesOut += other.framesOut;
    for (let i = 0; i < SLOTS; i++) {
      this.inByType[i] = (this.inByType[i] ?? 0) + (other.inByType[i] ?? 0);
      this.outByType[i] = (this.outByType[i] ?? 0) + (other.outByType[i] ?? 0);
    }
  }

  snapshot(): TrafficStats {
    return {
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      framesInByType: byName(this.inByType),
      framesOutByType: byName(this.outByType),
    };
  }
}

function byName(counts: readonly number[]): Record<FrameTypeName, number> {
  return Object.fromEntries(frameTypeNames.map((name) => [name, counts[FrameType[name]] ?? 0])) as Record<
    FrameTypeName,
    number
  >;
}
