/** What the duplicate-route rule needs to know about one route between two nodes. */
export interface RouteCandidate {
  /** Node id of the side that opened the TCP connection. */
  readonly dialerId: string;
  /** When this side saw the connection open (any monotonic clock). */
  readonly openedAt: number;
  /** `pending`: handshake running; `authenticated`: proofs checked, awaiting the verdict; `up`: in use. */
  readonly state: 'pending' | 'authenticated' | 'up';
}

export interface RouteVerdict<R> {
  /** The route to bring up, if one can be chosen now. */
  readonly keep: R | undefined;
  /** Authenticated routes that lost and must be closed as duplicates. */
  readonly close: readonly R[];
}

/** Lower dialer id first; for the same dialer, the older connection. */
export function compareRoutes(a: RouteCandidate, b: RouteCandidate): number {
  if (a.dialerId !== b.dialerId) return a.dialerId < b.dialerId ? -1 : 1;
  return a.openedAt - b.openedAt;
}

/**
 * Duplicate-route rule, applied only by the node with the lower id of the pair (the other side
 * waits for its READY, so both ends always agree): a route already up stays; otherwise the route
 * dialled by the lower node id wins. When that winner is still in its handshake the verdict waits
 * for it rather than settle on a loser that would be replaced a moment later.
 */
export function resolveDuplicateRoutes<R extends RouteCandidate>(routes: readonly R[]): RouteVerdict<R> {
  const up = routes.find((route) => route.state === 'up');
  const authenticated = routes.filter((route) => route.state === 'authenticated');
  if (up !== undefined) return { keep: undefined, close: authenticated };
  const best = [...routes].sort(compareRoutes)[0];
  if (best === undefined || best.state !== 'authenticated') return { keep: undefined, close: [] };
  return { keep: best, close: authenticated.filter((route) => route !== best) };
}
