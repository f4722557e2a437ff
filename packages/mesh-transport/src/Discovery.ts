import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatAddress, type HostPort } from './address.js';
import type { PeerAddress } from './frames.js';
import type { ResolvedMeshOptions } from './options.js';
import type { CloseKind } from './Route.js';

/** Where an address to dial came from; it decides how long the node keeps redialling it. */
export type TargetKind = 'seed' | 'rendezvous' | 'gossip';

interface DialTarget {
  readonly key: string;
  readonly address: HostPort;
  kind: TargetKind;
  /** The node that answered there last. */
  nodeId: string | undefined;
  failures: number;
  dialing: boolean;
  timer: NodeJS.Timeout | undefined;
  /** The DNS name this address was resolved from, for seeds given by name. */
  fromName: string | undefined;
}

/** What discovery needs from its node. */
export interface DiscoveryHost {
  readonly nodeId: string;
  readonly options: ResolvedMeshOptions;
  /** Whether a route to `nodeId` is up or in its handshake. */
  hasRouteTo(nodeId: string): boolean;
  dial(address: HostPort): void;
}

/** The outcome of one dial that never came up, or of a route that went down. */
export interface RouteEnd {
  readonly dialed: HostPort | undefined;
  readonly peerId: string | undefined;
  readonly peerAddress: HostPort | undefined;
  readonly kind: CloseKind;
  readonly errorCode: string | undefined;
  readonly wasUp: boolean;
}

/** Gossiped peers that fail this many dials in a row are forgotten until gossiped again. */
const GOSSIP_MAX_FAILURES = 8;
const BACKOFF_BASE_MS = 100;

/** Redials get 0–100 ms of jitter so that two nodes dialling each other do not collide again. */
export function jitterMs(): number {
  return Math.random() * 100;
}

/**
 * Seeds, gossip and redials: the addresses this node dials and for how long. Seeds and the
 * rendezvous are redialled forever (with capped exponential backoff); a gossiped peer is redialled
 * after a failure until it answers, refuses the connection (its process is gone), says BYE, or
 * fails {@link GOSSIP_MAX_FAILURES} times. Gossip learned here is never passed on.
 */
export class Discovery {
  readonly #host: DiscoveryHost;
  readonly #targets = new Map<string, DialTarget>();
  /** Addresses at which this node answered itself. */
  readonly #selfKeys = new Set<string>();
  #resolving = false;
  #closed = false;
  /** Called when the rendezvous holder is lost or unreachable. */
  onRendezvousLost: () => void = () => {};

  constructor(host: DiscoveryHost) {
    this.#host = host;
  }

  /** Adds the seeds and, for a node that does not hold it, the rendezvous; dials them all. */
  start(rendezvous: HostPort | undefined): void {
    if (rendezvous !== undefined) this.#ensure(rendezvous, 'rendezvous');
    for (const seed of this.#host.options.seeds) {
      if (isIP(seed.host) !== 0) this.#ensure(seed, 'seed');
    }
    this.resolveSeeds();
    for (const target of this.#targets.values()) this.#schedule(target, 0);
  }

  stop(): void {
    this.#closed = true;
    for (const target of this.#targets.values()) clearTimeout(target.timer);
    this.#targets.clear();
  }

  /** This node took the rendezvous over: it stops dialling that address. */
  forgetRendezvous(): void {
    for (const target of this.#targets.values()) {
      if (target.kind === 'rendezvous') this.#delete(target);
    }
  }

  /** The node that answered at the rendezvous address last, if known. */
  rendezvousHolder(): string | undefined {
    for (const target of this.#targets.values()) if (target.kind === 'rendezvous') return target.nodeId;
    return undefined;
  }

  /** Dials the rendezvous now (after a failed takeover: someone else holds the port). */
  dialRendezvousNow(): void {
    for (const target of this.#targets.values()) {
      if (target.kind === 'rendezvous') this.#schedule(target, 0);
    }
  }

  /** Re-resolves seeds given by DNS name; called at start and on every check. */
  resolveSeeds(): void {
    const named = this.#host.options.seeds.filter((seed) => isIP(seed.host) === 0);
    if (named.length === 0 || this.#resolving || this.#closed) return;
    this.#resolving = true;
    void Promise.all(named.map((seed) => this.#resolveSeed(seed))).finally(() => (this.#resolving = false));
  }

  async #resolveSeed(seed: HostPort): Promise<void> {
    try {
      const found = await lookup(seed.host, { all: true });
      if (this.#closed) return;
      const keys = new Set(
        found.map(({ address }) => this.#ensure({ host: address, port: seed.port }, 'seed', seed.host).key),
      );
      for (const target of [...this.#targets.values()]) {
        if (target.fromName === seed.host && !keys.has(target.key) && !target.dialing) this.#delete(target);
      }
    } catch (error) {
      this.#host.options.logger.debug('mesh: seed lookup failed', { seed: seed.host, error: (error as Error).message });
    }
  }

  /**
   * Peers announced by another node (GOSSIP, or the peer list of a HELLO). Peers re-send their
   * lists periodically: hearing again of a node this one keeps failing to reach does not restart
   * its backoff (only a new process at that address does), so a lasting partial partition costs
   * a few dials per pair, not a dial storm.
   */
  learn(peers: readonly PeerAddress[]): void {
    for (const [nodeId, host, port] of peers) {
      if (nodeId === this.#host.nodeId || this.#host.hasRouteTo(nodeId)) continue;
      const target = this.#ensure({ host, port }, 'gossip');
      // A node id new for this address: a new process there (or a new address), worth a dial now.
      const renewed = target.nodeId !== nodeId;
      if (renewed) target.failures = 0;
      target.nodeId = nodeId;
      if (!target.dialing && (renewed || target.timer === undefined)) this.#schedule(target, jitterMs());
    }
  }

  peerUp(nodeId: string, dialed: HostPort | undefined, peerAddress: HostPort | undefined): void {
    if (dialed !== undefined) this.#attach(formatAddress(dialed), nodeId);
    if (peerAddress !== undefined) this.#ensure(peerAddress, 'gossip').nodeId = nodeId;
    for (const target of this.#targets.values()) {
      if (target.nodeId !== nodeId) continue;
      target.failures = 0;
      clearTimeout(target.timer);
      target.timer = undefined;
    }
  }

  /** A route closed: redial what should be redialled. */
  routeEnded(end: RouteEnd): void {
    if (this.#closed) return;
    const target = end.dialed === undefined ? undefined : this.#targets.get(formatAddress(end.dialed));
    if (target !== undefined) {
      target.dialing = false;
      if (end.peerId !== undefined) target.nodeId = end.peerId;
    }
    if (end.kind === 'self') return this.#markSelf(target);
    if (end.wasUp) return this.#afterPeerDown(end);
    if (target === undefined) return;
    if (target.nodeId !== undefined && this.#host.hasRouteTo(target.nodeId)) {
      target.failures = 0;
      return;
    }
    target.failures++;
    if (target.kind === 'rendezvous' && end.errorCode === 'ECONNREFUSED') this.onRendezvousLost();
    this.#retry(target, end);
  }

  #afterPeerDown(end: RouteEnd): void {
    for (const target of [...this.#targets.values()]) {
      if (target.nodeId !== end.peerId || target.dialing) continue;
      if (target.kind === 'rendezvous') this.onRendezvousLost();
      if (target.kind === 'gossip' && end.kind === 'bye') this.#delete(target);
      else this.#schedule(target, jitterMs());
    }
  }

  #retry(target: DialTarget, end: RouteEnd): void {
    const gone = end.errorCode === 'ECONNREFUSED' || end.kind === 'bye' || target.failures >= GOSSIP_MAX_FAILURES;
    if (target.kind === 'gossip' && gone) return this.#delete(target);
    const backoff = Math.min(this.#host.options.redialMaxDelayMs, BACKOFF_BASE_MS * 2 ** (target.failures - 1));
    this.#schedule(target, backoff + jitterMs());
  }

  #schedule(target: DialTarget, delayMs: number): void {
    clearTimeout(target.timer);
    target.timer = setTimeout(() => this.#dial(target), delayMs).unref();
  }

  #dial(target: DialTarget): void {
    target.timer = undefined;
    if (this.#closed || target.dialing || this.#targets.get(target.key) !== target) return;
    if (target.nodeId !== undefined && this.#host.hasRouteTo(target.nodeId)) return;
    target.dialing = true;
    this.#host.dial(target.address);
  }

  #ensure(address: HostPort, kind: TargetKind, fromName?: string): DialTarget {
    const key = formatAddress(address);
    const existing = this.#targets.get(key);
    if (existing !== undefined) {
      if (kind !== 'gossip' && existing.kind === 'gossip') existing.kind = kind;
      return existing;
    }
    const target: DialTarget = {
      key,
      address,
      kind,
      nodeId: undefined,
      failures: 0,
      dialing: false,
      timer: undefined,
      fromName,
    };
    if (this.#selfKeys.has(key)) return target;
    this.#targets.set(key, target);
    if (kind !== 'gossip') this.#schedule(target, jitterMs());
    return target;
  }

  #attach(key: string, nodeId: string): void {
    const target = this.#targets.get(key);
    if (target === undefined) return;
    target.nodeId = nodeId;
    target.dialing = false;
  }

  #markSelf(target: DialTarget | undefined): void {
    if (target === undefined) return;
    this.#host.options.logger.debug('mesh: address answers with this node, not dialling it again', {
      address: target.key,
    });
    this.#selfKeys.add(target.key);
    this.#delete(target);
  }

  #delete(target: DialTarget): void {
    clearTimeout(target.timer);
    this.#targets.delete(target.key);
  }
}
