/** Reports carry demand rounded to a thousandth of a point per second. */
function round(perSec: number): number {
  return Math.round(perSec * 1000) / 1000;
}

/**
 * This node's demand for one key: the points it was asked for (allowed or not), smoothed over
 * syncs, and the last two values it reported to its peers.
 */
export class OwnDemand {
  #askedSinceSync = 0;
  /** When the first points were asked, until the average is seeded. */
  #firstAskMs: number | undefined;
  #perSec: number | undefined;
  #reported = 0;
  #reportedBefore = 0;

  ask(points: number, nowMs: number): void {
    this.#askedSinceSync += points;
    if (this.#perSec === undefined) this.#firstAskMs ??= nowMs;
  }

  /**
   * Folds the points asked since the last sync (`elapsedMs` ago) into the average and returns
   * the value to report: 0 when the demand is at or below `floorPerSec`, which peers assume
   * anyway. The average is seeded with the rate since the first points were asked, once that
   * spans at least half an interval, so a new key neither starts from zero nor from a guess.
   */
  measure(nowMs: number, elapsedMs: number, alpha: number, floorPerSec: number): number {
    this.#reportedBefore = this.#reported;
    if (this.#perSec === undefined) {
      const sinceFirstMs = this.#firstAskMs === undefined ? 0 : nowMs - this.#firstAskMs;
      if (sinceFirstMs < elapsedMs / 2) {
        this.#reported = 0;
        return 0;
      }
      this.#perSec = (this.#askedSinceSync * 1000) / sinceFirstMs;
    } else {
      const rate = (this.#askedSinceSync * 1000) / elapsedMs;
      this.#perSec += alpha * (rate - this.#perSec);
    }
    this.#askedSinceSync = 0;
    this.#reported = this.#perSec > floorPerSec ? round(this.#perSec) : 0;
    return this.#reported;
  }

  get perSec(): number {
    return this.#perSec ?? 0;
  }

  /**
   * The demand every peer is sure to have heard: the smaller of the last two reports. A node
   * sizes its own share with this, so a rise counts only one sync after it was announced.
   */
  get settled(): number {
    return Math.min(this.#reported, this.#reportedBefore);
  }

  /** Nothing asked since the last sync and nothing reported in the last two. */
  get isIdle(): boolean {
    return this.#askedSinceSync === 0 && this.#reported === 0 && this.#reportedBefore === 0;
  }
}
