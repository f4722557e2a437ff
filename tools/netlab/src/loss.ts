/** One event the publisher sent: its sequence number, the server index it went through, and whether that server accepted it. */
export type SentEvent = readonly [seq: number, server: number, accepted: boolean];

/** What the client driver's load returns: the publisher's log and each server's subscriber log. */
export interface LoadLog {
  readonly sent: readonly SentEvent[];
  /** Per server index: sequence numbers its subscriber received, in arrival order. */
  readonly received: readonly (readonly number[])[];
  readonly durationMs: number;
  /** Why requests were not accepted: `server index: reason` → count. */
  readonly failures?: Readonly<Record<string, number>>;
}

export interface LossCount {
  /** Events the publisher sent, and those a server accepted (HTTP 200). */
  readonly sent: number;
  readonly accepted: number;
  /** Deliveries owed: accepted events × subscribers on servers that stayed reachable from the publishing server. */
  readonly expected: number;
  /** Owed deliveries that never arrived. */
  readonly lost: number;
  /** Deliveries of an event a subscriber had already received. */
  readonly duplicates: number;
  /** Sent events per second, over the load's duration. */
  readonly ratePerSec: number;
  /** Accepted events per publishing server index. */
  readonly acceptedPerServer: readonly number[];
}

/**
 * Counts what the subscribers missed. An event accepted by server `p` is owed to the subscriber on
 * server `s` when `stayedReachable(p, s)`: a node that could not reach the publisher's node at some
 * point is owed nothing, since the mesh never relays or replays.
 */
export function countLoss(log: LoadLog, stayedReachable: (from: number, to: number) => boolean): LossCount {
  const seen = log.received.map((seqs) => new Set(seqs));
  let accepted = 0;
  let expected = 0;
  let lost = 0;
  const acceptedPerServer = log.received.map(() => 0);
  for (const [seq, from, ok] of log.sent) {
    if (!ok) continue;
    accepted++;
    acceptedPerServer[from] = (acceptedPerServer[from] ?? 0) + 1;
    seen.forEach((received, to) => {
      if (!stayedReachable(from, to)) return;
      expected++;
      if (!received.has(seq)) lost++;
    });
  }
  const duplicates = log.received.reduce((sum, seqs, i) => sum + seqs.length - (seen[i]?.size ?? 0), 0);
  const ratePerSec = log.durationMs > 0 ? Math.round((log.sent.length * 1000) / log.durationMs) : 0;
  return { sent: log.sent.length, accepted, expected, lost, duplicates, ratePerSec, acceptedPerServer };
}
