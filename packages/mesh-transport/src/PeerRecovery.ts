import type { RequestReply } from './ClusterTransport.js';
import { isPeerAddressList, type PeerAddress } from './frames.js';
import type { PeerDownReason } from './RouteTable.js';

/** The request topic on which every node answers with its up peers. */
export const PEERS_TOPIC = '$mesh.peers';

/** Ways to lose a peer that may be a cut link rather than a departure: worth looking for it again. */
const LOST: ReadonlySet<PeerDownReason> = new Set(['timeout', 'connection-lost', 'slow-consumer', 'protocol-error']);

/** What peer recovery needs from its node. */
export interface PeerRecoveryHost {
  /** Ids of the up peers. */
  peers(): string[];
  request(target: 'all', topic: string, payload: null, timeoutMs: number): Promise<RequestReply[]>;
  /** Peers named by another node: dial those this node has no route to. */
  learn(peers: readonly PeerAddress[]): void;
}

/**
 * Finds peers again that were lost without a BYE. Two nodes cut from each other while both keep
 * a common peer stop redialling after a few failures; only that common peer can name them to each
 * other again once the link heals. So a node that lost a peer asks its peers for their up peers
 * now and then, until the lost peer is back or no peer has it up any more (it is gone for
 * everyone). A healthy mesh asks nothing: no gossip per tick when there is nothing to find.
 */
export class PeerRecovery {
  readonly #host: PeerRecoveryHost;
  readonly #lost = new Set<string>();
  #asking = false;

  constructor(host: PeerRecoveryHost) {
    this.#host = host;
  }

  /** Peers being looked for. */
  get lostCount(): number {
    return this.#lost.size;
  }

  peerDown(nodeId: string, reason: PeerDownReason): void {
    if (LOST.has(reason)) this.#lost.add(nodeId);
  }

  peerUp(nodeId: string): void {
    this.#lost.delete(nodeId);
  }

  /** One round of asking, when a peer is missing and no round is under way. */
  ask(timeoutMs: number): void {
    if (this.#lost.size === 0 || this.#asking || this.#host.peers().length === 0) return;
    this.#asking = true;
    void this.#host
      .request('all', PEERS_TOPIC, null, timeoutMs)
      .then((replies) => this.#onReplies(replies))
      .finally(() => (this.#asking = false));
  }

  #onReplies(replies: readonly RequestReply[]): void {
    const listed = new Set<string>();
    let answered = false;
    for (const reply of replies) {
      if (!reply.ok || !isPeerAddressList(reply.payload)) continue;
      answered = true;
      this.#host.learn(reply.payload);
      for (const [nodeId] of reply.payload) listed.add(nodeId);
    }
    if (!answered) return;
    for (const nodeId of [...this.#lost]) if (!listed.has(nodeId)) this.#lost.delete(nodeId);
  }
}
