/**
 * How often a quiet link beats for a peer that declares it dead after `peerNodeTimeoutMs` of
 * silence: the largest multiple of this node's check interval (its beats fall on its checks)
 * that is at most half that timeout, and never less than one check interval. With soketi's
 * defaults (500 ms, 2,000 ms) a quiet link beats once a second, where beating on every check
 * would cost twice the frames for nothing. The peer then hears from this node at least every beat
 * plus half a check interval (see `Route.keepAlive`), which leaves most of half its timeout as
 * slack for a beat sent late by a busy or paused process.
 *
 * The beat is not the check: each node still judges silence every check interval, so a dead
 * peer is detected within the node timeout plus one check interval, whatever the beat.
 */
export function beatIntervalFor(checkIntervalMs: number, peerNodeTimeoutMs: number): number {
  return Math.max(1, Math.floor(peerNodeTimeoutMs / 2 / checkIntervalMs)) * checkIntervalMs;
}
