/**
 * What cluster rate limiters say to each other. Topics are prefixed `ratelimit.` so that they
 * share a transport with other users (the Pusher cluster adapter) without confusion.
 */
export const Topics = {
  /** `[WIRE_VERSION, [key, demandPerSec, …]]`: the sender's whole demand; replaces its last one. */
  Report: 'ratelimit.report',
  /** Sent by a limiter to peers that were up before it listened: "send me your report". */
  Hello: 'ratelimit.hello',
} as const;

export const WIRE_VERSION = 1;

/** A report on the wire: the version and a flat list of key/demand pairs. */
export type ReportPayload = [version: number, pairs: Array<string | number>];

export function encodeReport(demands: ReadonlyMap<string, number>): ReportPayload {
  const pairs: Array<string | number> = [];
  for (const [key, demandPerSec] of demands) pairs.push(key, demandPerSec);
  return [WIRE_VERSION, pairs];
}

/** The demands of a report, or a reason why it is not one (a peer must never crash us). */
export function decodeReport(payload: unknown): Map<string, number> | string {
  if (!Array.isArray(payload) || payload.length !== 2) return 'not a [version, pairs] array';
  const [version, pairs] = payload as unknown[];
  if (version !== WIRE_VERSION) return `unknown version ${String(version)}`;
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0) return 'pairs is not an even-length array';
  const demands = new Map<string, number>();
  for (let index = 0; index < pairs.length; index += 2) {
    const key: unknown = pairs[index];
    const demand: unknown = pairs[index + 1];
    if (typeof key !== 'string' || typeof demand !== 'number' || !(demand >= 0) || !Number.isFinite(demand)) {
      return `bad pair at ${index}`;
    }
    demands.set(key, demand);
  }
  return demands;
}
