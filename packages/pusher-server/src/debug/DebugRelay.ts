import type { ClusterTransport } from '@meshpush/mesh-transport';
import { channelKey } from '../util/channelKey.js';
import { isDebugBatch, type DebugBatch } from './DebugRecord.js';
import type { DebugBus, DebugTap } from './DebugTap.js';

/** A peer began or stopped watching an app: `[appId, watching]`. */
const WATCH_TOPIC = 'meshpush.debug.watch';
/** The apps this node watches, to a peer that just came up: `[appId, …]`. */
const WATCHING_TOPIC = 'meshpush.debug.watching';

/**
 * The subject of an app's debug records. `$` is not allowed in a channel name, so no channel
 * shares it, and the cluster adapter ignores its payload (not a `[frame, except]` pair).
 */
export function debugSubject(appId: string): string {
  return channelKey(appId, '$debug');
}

/**
 * Carries debug records between nodes. A node with an open console subscribes to the app's
 * subject (interest routing brings it every node's records) and tells its peers that it
 * watches, so they start producing; when its last console closes, it says so and they stop.
 * With no console open anywhere, nothing of this crosses the cluster.
 */
export class DebugRelay implements DebugBus {
  readonly #transport: ClusterTransport;
  readonly #tap: DebugTap;

  constructor(transport: ClusterTransport, tap: DebugTap) {
    this.#transport = transport;
    this.#tap = tap;
  }

  start(): void {
    this.#transport.on('peer-up', this.#onPeerUp);
    this.#transport.on('peer-down', this.#onPeerDown);
    this.#transport.on('broadcast', this.#onBroadcast);
    this.#transport.on('message', this.#onMessage);
    this.#tap.attach(this);
  }

  close(): void {
    this.#transport.off('peer-up', this.#onPeerUp);
    this.#transport.off('peer-down', this.#onPeerDown);
    this.#transport.off('broadcast', this.#onBroadcast);
    this.#transport.off('message', this.#onMessage);
  }

  watch(appId: string, watching: boolean): void {
    // SUB before the announcement on the same ordered route: a peer that starts producing
    // already routes the records here.
    if (watching) this.#transport.subscribe(debugSubject(appId));
    else this.#transport.unsubscribe(debugSubject(appId));
    this.#transport.broadcast(WATCH_TOPIC, [appId, watching]);
  }

  publish(appId: string, batch: DebugBatch): void {
    this.#transport.publish(debugSubject(appId), batch);
  }

  readonly #onPeerUp = (nodeId: string): void => {
    const apps = this.#tap.locallyWatched();
    if (apps.length > 0) this.#transport.sendTo(nodeId, WATCHING_TOPIC, apps);
  };

  readonly #onPeerDown = (nodeId: string): void => {
    this.#tap.peerGone(nodeId);
  };

  readonly #onBroadcast = (topic: string, payload: unknown, fromNodeId: string): void => {
    if (topic === WATCH_TOPIC && Array.isArray(payload) && typeof payload[0] === 'string') {
      this.#tap.remoteWatch(payload[0], fromNodeId, payload[1] === true);
    } else if (topic === WATCHING_TOPIC && Array.isArray(payload)) {
      for (const appId of payload) if (typeof appId === 'string') this.#tap.remoteWatch(appId, fromNodeId, true);
    }
  };

  readonly #onMessage = (subject: string, payload: unknown): void => {
    if (!subject.endsWith('$debug') || !isDebugBatch(payload)) return;
    const appId = subject.slice(0, subject.length - '$debug'.length - 1);
    if (debugSubject(appId) === subject) this.#tap.deliver(appId, payload);
  };
}
